// A child process that runs many kubesim command lines in turn (see cli-host.ts): the CLI's
// own `run` (src/cli/root.ts, what bin/kubesim's main calls) with its output captured, so a
// suite of commands costs one start-up instead of one per command. Each run sees the stdin
// text and the environment changes it was sent (restored afterwards), in the host's working
// directory; every write of a run (through the CLI's streams or straight to
// process.stdout/stderr) lands in that run's answer. Messages: {id, args, stdin?, env?} in,
// {id, stdout, stderr, code} out.

import { run } from '../../src/cli/root';
import type { Streams } from '../../src/cli/context';

type Write = typeof process.stdout.write;

interface Request {
  id: number;
  args: string[];
  stdin?: string;
  env?: Record<string, string>;
}

async function answer(m: Request): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = '';
  let stderr = '';
  const realOut = process.stdout.write;
  const realErr = process.stderr.write;
  const savedEnv = Object.fromEntries(Object.keys(m.env ?? {}).map((k) => [k, process.env[k]]));
  Object.assign(process.env, m.env);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')), true)) as Write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')), true)) as Write;
  const streams: Streams = { out: (t) => void (stdout += t), err: (t) => void (stderr += t), stdinText: () => m.stdin ?? '', isTTY: false };
  let code: number;
  try {
    code = await run(m.args, streams, 'kubesim');
  } catch (e) {
    // As src/main.ts answers an error that escapes run().
    stderr += `error: ${(e as Error)?.message ?? String(e)}\n`;
    code = 1;
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return { stdout, stderr, code };
}

// One run at a time: the captured writes belong to the run in progress.
let queue = Promise.resolve();
process.on('message', (m: Request) => {
  queue = queue.then(async () => {
    process.send!({ id: m.id, ...(await answer(m)) });
  });
});
// A test process that ended without stopping its host (a crash) leaves no host behind.
process.on('disconnect', () => process.exit());
process.send!({ ready: true });
