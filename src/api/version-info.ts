// The Kubernetes version kubesim simulates, as /version answers it and `kubesim version`
// prints it: one record, so the server and the CLI never disagree. Kept free of imports
// because `version --client` loads it at start-up.

export const KUBERNETES_VERSION = 'v1.32.4';

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export function versionInfo(): VersionInfo {
  return {
    major: '1',
    minor: '32',
    gitVersion: KUBERNETES_VERSION,
    gitCommit: 'kubesim',
    gitTreeState: 'clean',
    buildDate: '2026-11-22T00:00:00Z',
    goVersion: 'kubesim',
    compiler: 'kubesim',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
