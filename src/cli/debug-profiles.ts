// kubectl 1.32's debug profiles (cmd/debug/profiles.go) on a plain pod object: what each
// profile changes in a node debugging pod, a pod given an ephemeral container, and a pod copy
// (--copy-to), where the --keep-* flags decide what the copy keeps of the original.

/** The --keep-* flags (KeepFlags). */
export interface KeepFlags {
  labels: boolean;
  annotations: boolean;
  liveness: boolean;
  readiness: boolean;
  startup: boolean;
  initContainers: boolean;
}

/** getDebugStyle: how the pod being changed relates to the debugged object. */
export type DebugStyle = 'node' | 'ephemeral' | 'podCopy';

export const PROFILES = ['legacy', 'general', 'baseline', 'netadmin', 'restricted', 'sysadmin'];

type Pod = Record<string, any>;
type Container = Record<string, any>;

/** podutils.VisitContainers: the first container so named, init containers first (or only the regular ones). */
function find(pod: Pod, name: string, regularOnly = false): Container | undefined {
  const s = pod.spec ?? {};
  const lists: Container[][] = regularOnly ? [s.containers ?? []] : [s.initContainers ?? [], s.containers ?? [], s.ephemeralContainers ?? []];
  for (const list of lists) for (const c of list) if (c.name === name) return c;
  return undefined;
}

const sc = (c: Container): Record<string, any> => (c.securityContext ??= {});
const caps = (c: Container): Record<string, any> => (sc(c).capabilities ??= {});

function addCapability(pod: Pod, name: string, ...add: string[]): void {
  const c = find(pod, name);
  if (c) (caps(c).add ??= []).push(...add);
}

function mountRootPartition(pod: Pod, name: string): void {
  (pod.spec.volumes ??= []).push({ name: 'host-root', hostPath: { path: '/' } });
  const c = find(pod, name, true);
  if (c) (c.volumeMounts ??= []).push({ mountPath: '/host', name: 'host-root' });
}

function useHostNamespaces(pod: Pod): void {
  Object.assign(pod.spec, { hostNetwork: true, hostPID: true, hostIPC: true });
}

function clearSecurityContext(pod: Pod, name: string): void {
  const c = find(pod, name);
  if (c) delete c.securityContext;
}

/** restricted: clearSecurityContext, disallowRoot, dropCapabilities, disallowPrivilegeEscalation, setSeccompProfile. */
function restrict(pod: Pod, name: string): void {
  clearSecurityContext(pod, name);
  const c = find(pod, name);
  if (!c) return;
  sc(c).runAsNonRoot = true;
  caps(c).drop = ['ALL'];
  delete caps(c).add;
  sc(c).allowPrivilegeEscalation = false;
  sc(c).seccompProfile = { type: 'RuntimeDefault' };
}

/** What a profile strips from a copy unless kept (RemoveLabels ... RemoveInitContainers), and shareProcessNamespace. */
function trimCopy(pod: Pod, keep: KeepFlags): void {
  if (!keep.labels) delete pod.metadata.labels;
  if (!keep.annotations) delete pod.metadata.annotations;
  for (const c of pod.spec.containers ?? []) {
    if (!keep.liveness) delete c.livenessProbe;
    if (!keep.readiness) delete c.readinessProbe;
    if (!keep.startup) delete c.startupProbe;
  }
  if (!keep.initContainers) delete pod.spec.initContainers;
  pod.spec.shareProcessNamespace ??= true;
}

/** ProfileApplier.Apply: changes `pod` for debugging in container `name`. */
export function applyProfile(profile: string, style: DebugStyle, pod: Pod, name: string, keep: KeepFlags): void {
  switch (profile) {
    case 'legacy':
      if (style === 'node') {
        mountRootPartition(pod, name);
        useHostNamespaces(pod);
      } else if (style === 'podCopy') delete pod.metadata.labels; // legacy drops labels even with --keep-labels
      return;
    case 'general':
      if (style === 'node') {
        mountRootPartition(pod, name);
        clearSecurityContext(pod, name);
        useHostNamespaces(pod);
        return;
      }
      if (style === 'podCopy') trimCopy(pod, keep);
      addCapability(pod, name, 'SYS_PTRACE');
      return;
    case 'baseline':
      clearSecurityContext(pod, name);
      if (style === 'podCopy') trimCopy(pod, keep);
      return;
    case 'restricted':
      restrict(pod, name);
      if (style === 'podCopy') trimCopy(pod, keep);
      return;
    case 'netadmin':
      addCapability(pod, name, 'NET_ADMIN', 'NET_RAW');
      if (style === 'node') useHostNamespaces(pod);
      if (style === 'podCopy') trimCopy(pod, keep);
      return;
    case 'sysadmin': {
      const c = find(pod, name);
      if (c) sc(c).privileged = true;
      if (style === 'node') {
        useHostNamespaces(pod);
        mountRootPartition(pod, name);
      }
      if (style === 'podCopy') trimCopy(pod, keep);
      return;
    }
    default:
      throw new Error(`unknown profile: ${profile}`);
  }
}
