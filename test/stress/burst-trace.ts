// The long form's burst (long.stress.ts: user writes while the daemon creates a
// 1,000,000-replica Deployment) on its own, for tracing (issue #12; not a test, not in the
// suite): prints fairnessRun's figures as JSON. With KUBESIM_SPAN_TRACE=DIR every process
// (the daemon, the store writer, the CLI commands) records its lock waits and holds there.
//   KUBESIM_SPAN_TRACE=/tmp/spans node --import tsx test/stress/burst-trace.ts [replicas] [measure ms]
import { removeHome, run, tempHome } from './cli';
import { fairnessRun } from './sizes';

async function main() {
  const replicas = Number(process.argv[2] ?? 1_000_000);
  const measureMs = Number(process.argv[3] ?? 120_000);
  const home = tempHome('kubesim-burst-');
  try {
    if (run(home, ['cluster', 'create', '--nodes', '1']).code !== 0) throw new Error('cluster create failed');
    console.log(JSON.stringify(await fairnessRun(home, replicas, measureMs)));
  } finally {
    run(home, ['cluster', 'stop']);
    removeHome(home);
  }
}
void main();
