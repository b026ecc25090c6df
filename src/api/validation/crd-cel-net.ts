// Kubernetes' CEL IP and CIDR libraries (k8s.io/apiserver pkg/cel/library ip.go, cidr.go;
// in the CRD environment since 1.30): ip()/cidr() objects over Go's net/netip parsing
// (no zones, no IPv4-mapped IPv6 addresses), their predicates, containment and equality.
import type { Environment } from '@marcbachmann/cel-js';
import { goQuote } from '../../util/go-format';

/** An address as netip.Addr holds it: 4 or 16 bytes. */
export class CelIP {
  constructor(readonly bytes: number[]) {}
  get is4(): boolean {
    return this.bytes.length === 4;
  }
  toString(): string {
    return formatAddr(this.bytes);
  }
}

/** A prefix as netip.Prefix holds it: the address as written (not masked) and its length. */
export class CelCIDR {
  constructor(readonly addr: CelIP, readonly bits: number) {}
  toString(): string {
    return `${this.addr}/${this.bits}`;
  }
  contains(ip: CelIP): boolean {
    if (ip.is4 !== this.addr.is4) return false;
    return sameUnderMask(this.addr.bytes, ip.bytes, this.bits);
  }
  masked(): CelCIDR {
    return new CelCIDR(new CelIP(this.addr.bytes.map((b, i) => b & maskByte(i, this.bits))), this.bits);
  }
}

const maskByte = (i: number, bits: number) => (bits >= (i + 1) * 8 ? 0xff : bits <= i * 8 ? 0 : (0xff << (8 - (bits - i * 8))) & 0xff);
const sameUnderMask = (a: number[], b: number[], bits: number) => a.every((x, i) => (x & maskByte(i, bits)) === (b[i]! & maskByte(i, bits)));

/** netip.ParseAddr, or its error text. */
function parseAddr(s: string): CelIP | string {
  const fail = (why: string) => `ParseAddr(${goQuote(s)}): ${why}`;
  if (s === '') return fail('unable to parse IP');
  if (!s.includes(':')) {
    const v4 = parse4(s);
    return typeof v4 === 'string' ? fail(v4) : new CelIP(v4);
  }
  const [body, zone] = s.split('%', 2) as [string, string | undefined];
  if (zone === '') return fail('zone must be a non-empty string');
  const halves = body.split('::');
  if (halves.length > 2) return fail('multiple :: in address');
  const groups = (part: string): number[] | string => {
    if (part === '') return [];
    const out: number[] = [];
    const fields = part.split(':');
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      if (i === fields.length - 1 && f.includes('.')) {
        const v4 = parse4(f);
        if (typeof v4 === 'string') return v4;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(f)) out.push(parseInt(f, 16));
      else return f.length > 4 ? 'each colon-separated field must have at most 4 hex digits' : 'unable to parse IP';
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (typeof head === 'string') return fail(head);
  if (typeof tail === 'string') return fail(tail);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return fail(missing < 0 || halves.length === 2 ? 'address string too long' : 'address string too short');
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const ip = new CelIP(all.flatMap((g) => [g >> 8, g & 0xff]));
  return zone === undefined ? ip : Object.assign(ip, { zone });
}

function parse4(s: string): number[] | string {
  const fields = s.split('.');
  if (fields.length !== 4) return fields.length < 4 ? 'IPv4 address too short' : 'IPv4 address too long';
  const out: number[] = [];
  for (const f of fields) {
    if (f === '') return 'IPv4 field must have at least one digit';
    if (!/^\d+$/.test(f)) return 'unexpected character';
    if (f.length > 1 && f[0] === '0') return 'IPv4 field has octet with leading zero';
    if (Number(f) > 255) return 'IPv4 field has value >255';
    out.push(Number(f));
  }
  return out;
}

const is4In6 = (ip: CelIP) => !ip.is4 && ip.bytes.slice(0, 10).every((b) => b === 0) && ip.bytes[10] === 0xff && ip.bytes[11] === 0xff;

/** Addr.String: dotted IPv4, RFC 5952 IPv6 (the longest run of two or more zero groups as `::`). */
function formatAddr(b: number[]): string {
  if (b.length === 4) return b.join('.');
  const g = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** An evaluation error in kube's words (crd-cel.ts shows a CelRuntimeError's message as it is). */
class NetError extends Error {
  override name = 'CelRuntimeError';
}

/** library/ip.go parseIPAddr. */
function ipAddr(s: string): CelIP {
  const a = parseAddr(s);
  if (typeof a === 'string') throw new NetError(`IP Address ${goQuote(s)} parse error during conversion from string: ${a}`);
  if ((a as CelIP & { zone?: string }).zone !== undefined) throw new NetError(`IP address ${goQuote(s)} with zone value is not allowed`);
  if (is4In6(a)) throw new NetError(`IPv4-Mapped IPv6 address ${goQuote(s)} is not allowed`);
  return a;
}

/** library/cidr.go parseCIDR (netip.ParsePrefix). */
function cidrOf(s: string): CelCIDR {
  const fail = (why: string) => new NetError(`network address parse error during conversion from string: netip.ParsePrefix(${goQuote(s)}): ${why}`);
  const slash = s.lastIndexOf('/');
  if (slash < 0) throw fail('no \'/\'');
  const a = parseAddr(s.slice(0, slash));
  if (typeof a === 'string') throw fail(a);
  if ((a as CelIP & { zone?: string }).zone !== undefined) throw fail('IPv6 zones cannot be present in a prefix');
  const bits = s.slice(slash + 1);
  if (!/^\d+$/.test(bits) || (bits.length > 1 && bits[0] === '0') || Number(bits) > (a.is4 ? 32 : 128)) throw fail(`bad bits after slash: ${goQuote(bits)}`);
  if (is4In6(a)) throw new NetError(`IPv4-Mapped IPv6 address ${goQuote(s)} is not allowed`);
  return new CelCIDR(a, Number(bits));
}

const succeeds = (f: () => unknown) => {
  try {
    f();
    return true;
  } catch {
    return false;
  }
};

export function registerNet(env: Environment): void {
  class IPLib {}
  env.registerType('net.IP', CelIP);
  env.registerType('net.CIDR', CelCIDR);
  env.registerType('kubesim.IPLib', IPLib);
  // `ip.isCanonical(...)`: the namespace is a constant, its function a method of it.
  env.registerConstant('ip', 'kubesim.IPLib', new IPLib());
  env.registerFunction('ip(string): net.IP', ipAddr);
  env.registerFunction('isIP(string): bool', (s: string) => succeeds(() => ipAddr(s)));
  env.registerFunction('kubesim.IPLib.isCanonical(string): bool', (_: IPLib, s: string) => ipAddr(s).toString() === s);
  env.registerFunction('string(net.IP): string', (ip: CelIP) => ip.toString());
  env.registerFunction('net.IP.family(): int', (ip: CelIP) => (ip.is4 ? 4n : 6n));
  const b = (ip: CelIP) => ip.bytes;
  env.registerFunction('net.IP.isUnspecified(): bool', (ip: CelIP) => b(ip).every((x) => x === 0));
  env.registerFunction('net.IP.isLoopback(): bool', (ip: CelIP) => (ip.is4 ? b(ip)[0] === 127 : b(ip).every((x, i) => x === (i === 15 ? 1 : 0))));
  env.registerFunction('net.IP.isLinkLocalMulticast(): bool', (ip: CelIP) => (ip.is4 ? b(ip)[0] === 224 && b(ip)[1] === 0 && b(ip)[2] === 0 : b(ip)[0] === 0xff && (b(ip)[1]! & 0x0f) === 0x02));
  const linkLocalUnicast = (ip: CelIP) => (ip.is4 ? b(ip)[0] === 169 && b(ip)[1] === 254 : b(ip)[0] === 0xfe && (b(ip)[1]! & 0xc0) === 0x80);
  env.registerFunction('net.IP.isLinkLocalUnicast(): bool', linkLocalUnicast);
  // netip.Addr.IsGlobalUnicast: none of unspecified, broadcast, loopback, multicast, link-local unicast.
  env.registerFunction('net.IP.isGlobalUnicast(): bool', (ip: CelIP) => {
    const x = b(ip);
    if (x.every((y) => y === 0) || (ip.is4 && x.every((y) => y === 255))) return false;
    if (ip.is4 ? x[0] === 127 || x[0]! >= 224 : x.every((y, i) => y === (i === 15 ? 1 : 0)) || x[0] === 0xff) return false;
    return !linkLocalUnicast(ip);
  });
  env.registerOperator('net.IP == net.IP', (p: CelIP, q: CelIP) => p.bytes.join() === q.bytes.join());

  env.registerFunction('cidr(string): net.CIDR', cidrOf);
  env.registerFunction('isCIDR(string): bool', (s: string) => succeeds(() => cidrOf(s)));
  env.registerFunction('string(net.CIDR): string', (c: CelCIDR) => c.toString());
  env.registerFunction('net.CIDR.ip(): net.IP', (c: CelCIDR) => c.addr);
  env.registerFunction('net.CIDR.masked(): net.CIDR', (c: CelCIDR) => c.masked());
  env.registerFunction('net.CIDR.prefixLength(): int', (c: CelCIDR) => BigInt(c.bits));
  env.registerFunction('net.CIDR.containsIP(net.IP): bool', (c: CelCIDR, ip: CelIP) => c.contains(ip));
  env.registerFunction('net.CIDR.containsIP(string): bool', (c: CelCIDR, s: string) => c.contains(ipAddr(s)));
  const containsCIDR = (c: CelCIDR, o: CelCIDR) => c.bits <= o.bits && c.contains(o.addr);
  env.registerFunction('net.CIDR.containsCIDR(net.CIDR): bool', containsCIDR);
  env.registerFunction('net.CIDR.containsCIDR(string): bool', (c: CelCIDR, s: string) => containsCIDR(c, cidrOf(s)));
  env.registerOperator('net.CIDR == net.CIDR', (p: CelCIDR, q: CelCIDR) => p.bits === q.bits && p.addr.bytes.join() === q.addr.bytes.join());
}
