// What `kubesim version` prints, in one place for the verb (version.ts) and the start-up
// fast path (src/fast.ts), which prints `version --client` without loading the CLI.
// Kept free of imports beyond the version record, for the fast path's sake.

import { KUBERNETES_VERSION, versionInfo } from '../api/version-info';

declare const __KUBESIM_VERSION__: string;
declare const __SCHEMA_VERSION__: string;

/** The kustomize kubectl 1.32 embeds (`kubectl version` prints it). */
const KUSTOMIZE_VERSION = 'v5.5.0';

const kubesimVersion = () => (typeof __KUBESIM_VERSION__ === 'string' ? __KUBESIM_VERSION__ : 'dev');
const schemaVersion = () => (typeof __SCHEMA_VERSION__ === 'string' ? __SCHEMA_VERSION__ : 'unknown');

/** The document `-o json|yaml` prints: kubectl's fields in its order (kustomize is built in), then kubesim's own. */
export function versionDoc(client: boolean): Record<string, unknown> {
  const doc: Record<string, unknown> = { clientVersion: versionInfo(), kustomizeVersion: KUSTOMIZE_VERSION };
  if (!client) doc.serverVersion = versionInfo();
  doc.kubesimVersion = kubesimVersion();
  doc.schemaVersion = schemaVersion();
  return doc;
}

/** The default (human) output. */
export function versionText(client: boolean): string {
  let text = `Client Version: ${KUBERNETES_VERSION}\nKustomize Version: ${KUSTOMIZE_VERSION}\n`;
  if (!client) text += `Server Version: ${KUBERNETES_VERSION}\n`;
  return text + `kubesim Version: ${kubesimVersion()} (API schemas: ${schemaVersion()})\n`;
}
