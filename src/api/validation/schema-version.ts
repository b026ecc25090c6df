// The Kubernetes API version the generated schemas describe. scripts/gen-schemas.mjs fails
// the build when its field source (k8s.io/api's tag) is another version.
export const SCHEMA_KUBERNETES_VERSION = '1.32.9';

/**
 * Checks a `--kubernetes-version` value (as kubeconform takes it: 1.32.0, v1.32.9, or 1.32):
 * one set of schemas is bundled, the v1.32 API, which every 1.32 patch release shares (patch
 * releases never change API fields). Returns the error for any other version.
 */
export function kubernetesVersionError(v: string): string | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(v.trim());
  const [major, minor] = SCHEMA_KUBERNETES_VERSION.split('.');
  if (!m) return `--kubernetes-version "${v}": not a Kubernetes version (for example ${major}.${minor}.0 or v${major}.${minor})`;
  if (m[1] === major && m[2] === minor) return undefined;
  return `--kubernetes-version ${v}: no schemas for Kubernetes ${m[1]}.${m[2]} are bundled; kubesim validates against the Kubernetes ${major}.${minor} API (${major}.${minor}, v${major}.${minor} or ${major}.${minor}.x)`;
}
