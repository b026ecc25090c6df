// wget and nc: requests the driver answers from the simulated cluster (src/shell/net.ts).

import type { Applet, AppletCtx, Gen, NetResponse } from '../interp';
import { getopt, isBusybox } from './common';

function parseUrl(u: string): { host: string; port: number; path: string } | undefined {
  const m = /^(?:(https?):\/\/)?([^/:?#]+)(?::(\d+))?([^#]*)$/.exec(u);
  if (!m) return undefined;
  return { host: m[2], port: m[3] ? Number(m[3]) : m[1] === 'https' ? 443 : 80, path: m[4] || '/' };
}

function* wget(c: AppletCtx): Gen<number> {
  const o = getopt(c.argv.slice(1), 'qO:T:St:Y:U:');
  const url = o.operands[0];
  if (!url || o.bad) {
    c.err.write(isBusybox(c) ? 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n' : 'wget: missing URL\n');
    return 1;
  }
  const u = parseUrl(url);
  if (!u) {
    c.err.write(`wget: bad address '${url}'\n`);
    return 1;
  }
  const spider = c.argv.includes('--spider');
  const quiet = o.flags.has('q');
  const out = o.values.get('O');
  const name = out ?? (u.path.replace(/[?#].*$/, '').split('/').pop() || 'index.html');
  const r = (yield { k: 'net', req: { kind: 'http', host: u.host, port: u.port, path: u.path } }) as NetResponse;
  if (!quiet && (r.ok || r.error !== 'bad-address')) c.err.write(`Connecting to ${u.host}${url.includes(`:${u.port}`) ? `:${u.port}` : ''} (${r.addr ?? u.host}:${u.port})\n`);
  if (!r.ok) {
    if (r.error === 'bad-address') c.err.write(`wget: bad address '${u.host}${url.includes(`:${u.port}`) ? `:${u.port}` : ''}'\n`);
    else if (r.error === 'refused') c.err.write(`wget: can't connect to remote host (${r.addr ?? u.host}): Connection refused\n`);
    else if (r.error === 'timeout') c.err.write('wget: download timed out\n');
    else c.err.write(`wget: server returned error: HTTP/1.1 ${r.status} ${r.reason ?? ''}\n`);
    return 1;
  }
  if (spider) {
    if (!quiet) c.err.write('remote file exists\n');
    return 0;
  }
  const bar = (label: string) => `${label.padEnd(20).slice(0, 20)} 100% |********************************| ${String(Buffer.byteLength(r.body)).padStart(5)}  0:00:00 ETA\n`;
  if (out === '-') {
    if (!quiet) c.err.write('writing to stdout\n');
    c.out.write(r.body);
    if (!quiet) c.err.write(`${bar('-')}written to stdout\n`);
  } else {
    const s = c.sh.openOut(name, false, { inp: c.inp, out: c.out, err: c.err });
    if (!s) return 1;
    if (!quiet) c.err.write(`saving to '${name}'\n`);
    s.write(r.body);
    if (!quiet) c.err.write(`${bar(name)}'${name}' saved\n`);
  }
  return 0;
}

function* nc(c: AppletCtx): Gen<number> {
  const o = getopt(c.argv.slice(1), 'zvw:nul');
  const [host, portArg] = o.operands;
  if (!host || !portArg) {
    c.err.write(isBusybox(c) ? 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT  - connect\n' : 'usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n');
    return 1;
  }
  const port = Number(portArg);
  const data = o.flags.has('z') ? undefined : c.inp.rest();
  const r = (yield { k: 'net', req: { kind: 'tcp', host, port, data } }) as NetResponse;
  if (!r.ok) {
    if (r.error === 'bad-address') c.err.write(`nc: bad address '${host}'\n`);
    else if (r.error === 'timeout') c.err.write(`nc: timed out\n`);
    else c.err.write(`nc: can't connect to remote host (${r.addr ?? host}): Connection refused\n`);
    return 1;
  }
  if (o.flags.has('v')) c.err.write(`${host} (${r.addr ?? host}:${port}) open\n`);
  if (!o.flags.has('z')) c.out.write(r.body);
  return 0;
}

export const netApplets: Record<string, Applet> = { wget, nc };
