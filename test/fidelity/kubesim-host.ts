// A child process that runs many kubesim command lines in turn, for the differential suite:
// the CLI's own `run` (src/cli/root.ts, what bin/kubesim's main calls) with its output
// captured, so ~800 cases cost one start-up per host instead of one per case. The host is
// started in the case's working directory and environment, with no stdin, as the spawned
// binary was; every write of a run (through the CLI's streams or straight to
// process.stdout/stderr) lands in that run's answer. Messages: {id, args} in, {id, stdout,
// stderr, code} out.

import { run } from '../../src/cli/root';
import type { Streams } from '../../src/cli/context';

type Write = typeof process.stdout.write;

async function answer(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = '';
  let stderr = '';
  const realOut = process.stdout.write;
  const realErr = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')), true)) as Write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')), true)) as Write;
  const streams: Streams = { out: (t) => void (stdout += t), err: (t) => void (stderr += t), stdinText: () => '', isTTY: false };
  let code: number;
  try {
    code = await run(args, streams, 'kubesim');
  } catch (e) {
    // As src/main.ts answers an error that escapes run().
    stderr += `error: ${(e as Error)?.message ?? String(e)}\n`;
    code = 1;
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
  return { stdout, stderr, code };
}

// One run at a time: the captured writes belong to the run in progress.
let queue = Promise.resolve();
process.on('message', (m: { id: number; args: string[] }) => {
  queue = queue.then(async () => {
    process.send!({ id: m.id, ...(await answer(m.args)) });
  });
});
process.send!({ ready: true });
