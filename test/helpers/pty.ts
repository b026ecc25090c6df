// Runs a program on a real pseudo-terminal (python3's pty module: Node has none) and types
// into it as a person would: each step waits for its text to appear (with a deadline), then
// sends its keys. Resolves with everything the terminal showed and the exit code.

import { spawn } from 'node:child_process';

export interface PtyStep {
  /** Wait until this text appears after what the previous step waited for. */
  expect: string;
  /** Then type this (`\r` is Enter, `\x03` Ctrl-C, `\x7f` Backspace). */
  send?: string;
  /**
   * Before typing, wait until the program made the terminal raw (kubectl prints its attach
   * prompt, then goes raw: keys typed between are the cooked terminal's, echoed twice).
   */
  raw?: boolean;
}

export interface PtyResult {
  /** Everything written to the terminal, as bytes decoded as UTF-8 (`\r\n` line ends). */
  transcript: string;
  code: number;
  /** The step whose text never appeared (undefined when all did). */
  stalled?: string;
}

const DRIVER = String.raw`
import json, os, pty, select, sys, termios, time
spec = json.loads(sys.stdin.read())
pid, fd = pty.fork()
if pid == 0:
    os.environ.clear(); os.environ.update(spec['env'])
    os.execv(spec['argv'][0], spec['argv'])
out = b''
pos = 0
def pump(deadline):
    global out
    r, _, _ = select.select([fd], [], [], max(0, min(0.2, deadline - time.time())))
    if not r: return True
    try: d = os.read(fd, 65536)
    except OSError: return False
    if not d: return False
    out += d
    return True
stalled = None
for step in spec['steps']:
    want = step['expect'].encode()
    deadline = time.time() + spec['timeout']
    alive = True
    while out.find(want, pos) < 0 and time.time() < deadline and alive:
        alive = pump(deadline)
    i = out.find(want, pos)
    if i < 0:
        stalled = step['expect']; break
    pos = i + len(want)
    # the pty's settings, as its program set them, read from the master side (Linux)
    while step.get('raw') and alive and time.time() < deadline and termios.tcgetattr(fd)[3] & termios.ICANON:
        alive = pump(min(deadline, time.time() + 0.02))
    if step.get('raw') and termios.tcgetattr(fd)[3] & termios.ICANON:
        stalled = 'raw mode after ' + step['expect']; break
    if step.get('send'): os.write(fd, step['send'].encode())
deadline = time.time() + spec['timeout']
while time.time() < deadline and pump(deadline): pass
if stalled is not None:
    try: os.kill(pid, 9)
    except OSError: pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(json.dumps({'transcript': out.decode('utf-8', 'replace'), 'code': os.waitstatus_to_exitcode(status), 'stalled': stalled}))
`;

/** `argv[0]` must be a path (no PATH lookup). Each step waits at most `timeoutMs`. */
export function runOnPty(argv: string[], steps: PtyStep[], env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<PtyResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', DRIVER], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the pty driver (python3) failed with ${code}: ${err}`));
      const r = JSON.parse(out) as { transcript: string; code: number; stalled: string | null };
      resolve({ transcript: r.transcript, code: r.code, stalled: r.stalled ?? undefined });
    });
    const cleanEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
    child.stdin.end(JSON.stringify({ argv, steps, env: cleanEnv, timeout: timeoutMs / 1000 }));
  });
}
