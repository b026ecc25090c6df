// System applets: env, printenv, date, sleep (on simulated time), hostname, id, whoami,
// uname, and the shell builtins that also exist as programs (echo, printf, test, ...).

import * as interp from '../interp';
import type { Applet, AppletCtx, Builtin, Gen } from '../interp';
import { normalizePath } from '../vfs';
import { isBusybox } from './common';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const FULL_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const FULL_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** `date` output: `Wed Jan  1 00:00:00 UTC 2025` (busybox and GNU agree in UTC). */
export function busyboxDate(ms: number): string {
  return strftime('%a %b %e %H:%M:%S UTC %Y', ms);
}

export function strftime(fmt: string, ms: number): string {
  const d = new Date(ms);
  return fmt.replace(/%([a-zA-Z%+])/g, (_m, f: string) => {
    switch (f) {
      case 'Y':
        return String(d.getUTCFullYear());
      case 'y':
        return p2(d.getUTCFullYear() % 100);
      case 'm':
        return p2(d.getUTCMonth() + 1);
      case 'd':
        return p2(d.getUTCDate());
      case 'e':
        return String(d.getUTCDate()).padStart(2, ' ');
      case 'H':
        return p2(d.getUTCHours());
      case 'I':
        return p2(((d.getUTCHours() + 11) % 12) + 1);
      case 'M':
        return p2(d.getUTCMinutes());
      case 'S':
        return p2(d.getUTCSeconds());
      case 'N':
        return String(d.getUTCMilliseconds()).padStart(3, '0') + '000000';
      case 's':
        return String(Math.floor(ms / 1000));
      case 'a':
        return DAYS[d.getUTCDay()];
      case 'A':
        return FULL_DAYS[d.getUTCDay()];
      case 'b':
      case 'h':
        return MONTHS[d.getUTCMonth()];
      case 'B':
        return FULL_MONTHS[d.getUTCMonth()];
      case 'p':
        return d.getUTCHours() < 12 ? 'AM' : 'PM';
      case 'j':
        return String(Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1).padStart(3, '0');
      case 'u':
        return String(d.getUTCDay() || 7);
      case 'w':
        return String(d.getUTCDay());
      case 'Z':
        return 'UTC';
      case 'z':
        return '+0000';
      case 'T':
        return `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
      case 'D':
        return `${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}/${p2(d.getUTCFullYear() % 100)}`;
      case 'F':
        return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
      case 'R':
        return `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`;
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case '%':
        return '%';
      default:
        return `%${f}`;
    }
  });
}

const date: Applet = (c) => {
  let fmt: string | undefined;
  for (const a of c.argv.slice(1)) {
    if (a.startsWith('+')) fmt = a.slice(1);
    else if (a === '-u' || a === '--utc' || a === '-R') {
      if (a === '-R') fmt = '%a, %d %b %Y %H:%M:%S +0000';
    } else if (a === '-I' || a.startsWith('-Iseconds') || a === '--iso-8601=seconds') fmt = a === '-I' ? '%F' : '%FT%T+00:00';
    else {
      c.err.write(isBusybox(c) ? `date: invalid date '${a}'\n` : `date: invalid date '${a}'\n`);
      return 1;
    }
  }
  c.out.write(strftime(fmt ?? '%a %b %e %H:%M:%S UTC %Y', c.sh.g.clock.now) + '\n');
  return 0;
};

/** `sleep` arguments: `5`, `0.5`, `1m`, `2h`, `infinity`; undefined when invalid. */
export function sleepMs(arg: string): number | undefined {
  if (arg === 'infinity' || arg === 'inf') return Infinity;
  const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg);
  if (!m) return undefined;
  const mult = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]]!;
  return Math.round(Number(m[1]) * mult);
}

function* sleep(c: AppletCtx): Gen<number> {
  const args = c.argv.slice(1);
  if (!args.length) {
    c.err.write(isBusybox(c) ? 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: sleep [N]...\n' : "sleep: missing operand\nTry 'sleep --help' for more information.\n");
    return 1;
  }
  let total = 0;
  for (const a of args) {
    const ms = sleepMs(a);
    if (ms === undefined) {
      c.err.write(isBusybox(c) ? `sleep: invalid number '${a}'\n` : `sleep: invalid time interval '${a}'\nTry 'sleep --help' for more information.\n`);
      return 1;
    }
    total += ms;
  }
  yield { k: 'sleep', ms: total };
  return 0;
}

const env: Applet = (c) => {
  const args = c.argv.slice(1);
  let e = new Map(c.env);
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === '-i' || a === '-') e = new Map();
    else if (a === '-u') e.delete(args[++i] ?? '');
    else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) e.set(a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1));
    else break;
  }
  if (i >= args.length) {
    c.out.write([...e].map(([k, v]) => `${k}=${v}\n`).join(''));
    return 0;
  }
  const name = args[i];
  const applet = c.sh.resolveApplet(name);
  if (!applet) {
    c.err.write(isBusybox(c) ? `env: can't execute '${name}': No such file or directory\n` : `env: '${name}': No such file or directory\n`);
    return 127;
  }
  return applet({ ...c, argv: args.slice(i), env: e });
};

const printenv: Applet = (c) => {
  const names = c.argv.slice(1);
  if (!names.length) {
    c.out.write([...c.env].map(([k, v]) => `${k}=${v}\n`).join(''));
    return 0;
  }
  let st = 0;
  for (const n of names) {
    const v = c.env.get(n);
    if (v === undefined) st = 1;
    else c.out.write(v + '\n');
  }
  return st;
};

const hostname: Applet = (c) => {
  c.out.write(c.sh.g.hostname + '\n');
  return 0;
};

const whoami: Applet = (c) => {
  const uid = c.sh.g.uid;
  if (uid === 0) {
    c.out.write('root\n');
    return 0;
  }
  c.err.write(isBusybox(c) ? `whoami: unknown uid ${uid}\n` : `whoami: cannot find name for user ID ${uid}\n`);
  return 1;
};

const id: Applet = (c) => {
  const { uid, gid } = c.sh.g;
  const busybox = isBusybox(c);
  const args = c.argv.slice(1);
  if (args.includes('-u')) {
    c.out.write(`${uid}\n`);
    return 0;
  }
  if (args.includes('-g')) {
    c.out.write(`${gid}\n`);
    return 0;
  }
  const u = uid === 0 ? 'uid=0(root)' : `uid=${uid}`;
  const g = gid === 0 ? 'gid=0(root)' : `gid=${gid}`;
  c.out.write(`${u} ${g} groups=${gid === 0 ? (busybox && uid === 0 ? '0(root),1(bin),2(daemon),3(sys),4(adm),6(disk),10(wheel),11(floppy),20(dialout),26(tape),27(video)' : '0(root)') : gid}\n`);
  return 0;
};

const uname: Applet = (c) => {
  const a = c.argv.slice(1);
  if (a.includes('-a')) c.out.write(`Linux ${c.sh.g.hostname} 6.8.0-kubesim #1 SMP x86_64 GNU/Linux\n`);
  else if (a.includes('-n')) c.out.write(`${c.sh.g.hostname}\n`);
  else if (a.includes('-m')) c.out.write('x86_64\n');
  else if (a.includes('-r')) c.out.write('6.8.0-kubesim\n');
  else c.out.write('Linux\n');
  return 0;
};

const which: Applet = (c) => {
  let st = 0;
  for (const n of c.argv.slice(1)) {
    const shell = n === 'sh' || (n === 'bash' && !isBusybox(c));
    if (shell) c.out.write(`/bin/${n}\n`);
    else if (c.sh.g.applets.has(n)) c.out.write(isBusybox(c) ? `/bin/${n}\n` : `/usr/bin/${n}\n`);
    else st = 1;
  }
  return c.argv.length > 1 ? st : 1;
};

const nproc: Applet = (c) => {
  c.out.write('2\n');
  return 0;
};

/** The builtins that are also programs in /bin, for `exec POD -- echo hi` and `env echo`. */
export function builtinPrograms(builtins: Map<string, Builtin>): Record<string, Applet> {
  const out: Record<string, Applet> = {};
  for (const n of ['echo', 'printf', 'test', '[', 'true', 'false', 'pwd', 'kill']) {
    const b = builtins.get(n);
    if (b) out[n] = (c) => b(c, { inp: c.inp, out: c.out, err: c.err });
  }
  return out;
}

export const sysApplets: Record<string, Applet> = { date, sleep, env, printenv, hostname, whoami, id, uname, nproc, which };

/** `sh -c SCRIPT [NAME ARGS...]`, `sh FILE [ARGS...]`, or a script on stdin: a child shell. */
function* shApplet(c: AppletCtx): Gen<number> {
  const { Sh, ExitSignal, FatalError } = interp;
  const args = c.argv.slice(1);
  let src: string;
  let name = c.argv[0];
  let positional: string[] = [];
  const ci = args.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a));
  if (ci >= 0) {
    if (args[ci + 1] === undefined) {
      c.err.write(isBusybox(c) ? 'sh: -c requires an argument\n' : `${name}: 0: -c requires an argument\n`);
      return 2;
    }
    src = args[ci + 1];
    if (args[ci + 2] !== undefined) name = args[ci + 2];
    positional = args.slice(ci + 3);
  } else if (args.length && !args[0].startsWith('-')) {
    const text = c.sh.g.vfs.read(normalizePath(args[0], c.sh.cwd));
    if (text === undefined) {
      c.err.write(isBusybox(c) ? `sh: can't open '${args[0]}': No such file or directory\n` : `${name}: 0: cannot open ${args[0]}: No such file\n`);
      return isBusybox(c) ? 2 : 2;
    }
    src = text;
    name = args[0];
    positional = args.slice(1);
  } else src = c.inp.rest();
  // the child shares the file system, clock and limits; `$0` and messages use its name
  const child = new Sh(c.sh.g);
  for (const [k, v] of c.env) {
    child.vars.set(k, v);
    child.exported.add(k);
  }
  child.cwd = c.sh.cwd;
  child.positional = positional;
  child.depth = c.sh.depth + 1;
  const savedName = c.sh.g.name;
  c.sh.g.name = name;
  try {
    return yield* child.script(src, { inp: c.inp, out: c.out, err: c.err });
  } catch (e) {
    if (e instanceof ExitSignal) return e.code;
    if (e instanceof FatalError) {
      if (e.message) c.err.write(e.message);
      return e.code;
    }
    throw e;
  } finally {
    c.sh.g.name = savedName;
  }
}
sysApplets.sh = shApplet;
