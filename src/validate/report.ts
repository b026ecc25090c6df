// The result of `kubesim validate`: one entry per resource (or per document/file that could
// not be read as one), each with its findings. Every output format renders this model.

export type Status = 'valid' | 'invalid' | 'skipped' | 'error';

export type RuleId =
  | 'yaml/syntax'
  | 'yaml/duplicate-key'
  | 'yaml/invalid-document'
  | 'io/read-error'
  | 'schema/unknown-field'
  | 'schema/invalid-type'
  | 'schema/required'
  | 'schema/invalid-value'
  | 'resource/unknown-kind'
  | 'resource/missing-schema'
  | 'resource/duplicate'
  | `semantic/${string}`
  // kubesim check: the simulated deploy and the cross-object review (src/check/types.ts).
  | `deploy/${string}`
  | `lint/${string}`;

export interface Finding {
  ruleId: RuleId;
  severity: 'error' | 'warning';
  message: string;
  /** The file as the user gave it (STDIN for `-`). */
  file: string;
  line?: number;
  col?: number;
  /** Field path (`spec.replicas`) when the finding is about a field. */
  field?: string;
  hint?: string;
  /** Chart template file from helm's `# Source:` comment. */
  helmSource?: string;
  /** Numbered source lines with a caret, for people. */
  excerpt?: string[];
}

export interface ResourceResult {
  file: string;
  docIndex?: number;
  listIndex?: number;
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  line?: number;
  col?: number;
  helmSource?: string;
  status: Status;
  /** Why a resource was skipped. */
  reason?: string;
  findings: Finding[];
}

export interface Counts {
  resources: number;
  valid: number;
  invalid: number;
  skipped: number;
  errors: number;
}

export interface Report {
  results: ResourceResult[];
  files: string[];
  /** Version of the Kubernetes schemas used. */
  kubernetesVersion: string;
}

export function countResults(results: ResourceResult[]): Counts {
  const c: Counts = { resources: results.length, valid: 0, invalid: 0, skipped: 0, errors: 0 };
  for (const r of results) {
    if (r.status === 'valid') c.valid++;
    else if (r.status === 'invalid') c.invalid++;
    else if (r.status === 'skipped') c.skipped++;
    else c.errors++;
  }
  return c;
}

export function summaryLine(c: Counts): string {
  // Fixed wording (always plural) so scripts can parse it.
  return `${c.resources} resources: ${c.valid} valid, ${c.invalid} invalid, ${c.skipped} skipped, ${c.errors} errors`;
}

/** `Deployment/web` or `Deployment/prod/web`; for unreadable documents, `document 2`. */
export function resourceLabel(r: ResourceResult): string {
  if (!r.kind) return r.docIndex !== undefined ? `document ${r.docIndex + 1}` : 'file';
  const parts = [r.kind];
  if (r.namespace) parts.push(r.namespace);
  parts.push(r.name ?? '(unnamed)');
  return parts.join('/');
}

/** `file:line:col` (what editors and CI logs turn into links). */
export function location(f: { file: string; line?: number; col?: number }): string {
  return [f.file, f.line, f.col].filter((x) => x !== undefined).join(':');
}
