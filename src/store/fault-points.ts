// Named points inside the file store's write path where tests stop or kill a writer (the
// crash and race tests) or inject an I/O error: `KUBESIM_STORE_FAULT=<point>:<action>[@<key part>]`
// with action kill (SIGKILL), stop (SIGSTOP, for a test to inspect then SIGCONT) or eio,
// or an in-process hook. Unset, a point costs one property check.

let hook: ((point: string, key: string) => void) | undefined;
const spec = process.env.KUBESIM_STORE_FAULT;

/** Installs (or clears) an in-process hook called at every fault point. */
export function setStoreFaultHook(fn: ((point: string, key: string) => void) | undefined): void {
  hook = fn;
}

export function storeFaultPoint(point: string, key: string): void {
  if (hook) hook(point, key);
  if (!spec) return;
  const m = /^([a-z-]+):(kill|stop|eio)(?:@(.*))?$/.exec(spec);
  if (!m || m[1] !== point || (m[3] && !key.includes(m[3]))) return;
  if (m[2] === 'kill') process.kill(process.pid, 'SIGKILL');
  else if (m[2] === 'stop') process.kill(process.pid, 'SIGSTOP');
  else throw Object.assign(new Error(`injected I/O error at ${point}`), { code: 'EIO' });
}
