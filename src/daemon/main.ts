// PLACEHOLDER (lead): helper-6 replaces this file with the daemon entry point.
export async function runDaemon(clusterDir: string | undefined): Promise<void> {
  throw new Error(`the reconcile daemon is not available in this build (${clusterDir})`);
}
