// The string formats a CRD schema may name, checked as kube-apiserver v1.32 checks them:
// apiextensions-apiserver keeps only its supportedFormats (pkg/apiserver/validation/
// formats.go; any other format is stripped, i.e. not checked) and kube-openapi's strfmt
// registry validates them (pkg/validation/strfmt/default.go, time.go, duration.go). Names
// are normalised as go-openapi does: `date-time` is `datetime`.
//
// Where Go calls a parser (net/mail, net/url, net.ParseIP) the check here is that parser's
// accepted shapes, not a port of it.
import { isIPv6 } from 'node:net';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID4 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const UUID5 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
// strfmt.HostnamePattern, then at most 255 characters and labels of at most 63.
// Made on first use: its Unicode properties cost ~6 M instructions to create (ICU's ranges), at
// every load of this module otherwise (round 94 of docs/perf-issue-18.md).
let hostname: RegExp | undefined;
const HOSTNAME = () => (hostname ??= /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u);
// strfmt.DateTimePattern: the part after the `t` of a lower-cased date-time.
const TIME = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/u;
// govalidator's patterns.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const HEXCOLOR = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const BYTE = '\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*';
const RGBCOLOR = new RegExp(`^rgb\\(${BYTE},${BYTE},${BYTE}\\)$`);
const SSN = /^\d{3}[- ]?\d{2}[- ]?\d{4}$/;
const CREDITCARD = /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$/;
// net.ParseMAC: 6, 8 or 20 octets, `:`- or `-`-separated pairs or `.`-separated quads.
const MAC = /^(?:[0-9a-fA-F]{2}(?:([:-])[0-9a-fA-F]{2})(?:\1[0-9a-fA-F]{2}){4}(?:(?:\1[0-9a-fA-F]{2}){2}(?:(?:\1[0-9a-fA-F]{2}){12})?)?|[0-9a-fA-F]{4}(?:\.[0-9a-fA-F]{4}){2}(?:(?:\.[0-9a-fA-F]{4})(?:(?:\.[0-9a-fA-F]{4}){5})?)?)$/;
const DURATION_PART = /((\d+)\s*([A-Za-zµ]+))/gu;
const GO_DURATION_PART = /^(\d*)(?:\.(\d*))?([^\d.]*)/u;
const DURATION_UNITS = [['ns', 'nano'], ['us', 'µs', 'micro'], ['ms', 'milli'], ['s', 'sec'], ['m', 'min'], ['h', 'hr', 'hour'], ['d', 'day'], ['w', 'wk', 'week']];
const NANOS: Record<string, bigint> = { ns: 1n, us: 1000n, µs: 1000n, μs: 1000n, ms: 1000000n, s: 1000000000n, m: 60000000000n, h: 3600000000000n, d: 86400000000000n, w: 604800000000000n };
const MAX_INT64 = (1n << 63n) - 1n;

/** time.Parse("2006-01-02", s): four-digit year, a real month and day of that month. */
function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0])) return false;
  const m = TIME.exec(parts[1]);
  return !!m && m[1] <= '23' && m[2] <= '59' && m[3] <= '59';
}

/** Go's time.ParseDuration in nanoseconds, or undefined where it fails. */
function goParseDuration(given: string): bigint | undefined {
  let s = given;
  const negative = s.startsWith('-');
  if (negative || s.startsWith('+')) s = s.slice(1);
  if (s === '0') return 0n;
  if (!s) return undefined;
  let total = 0n;
  while (s) {
    const [part, whole, fraction, unit] = GO_DURATION_PART.exec(s)!;
    const ns = NANOS[unit!];
    if ((!whole && !fraction) || ns === undefined) return undefined;
    // The fraction's digits past what int64 nanoseconds can hold are dropped, as Go's leadingFraction does.
    const digits = (fraction ?? '').slice(0, 18);
    total += BigInt(whole || '0') * ns + (BigInt(digits || '0') * ns) / 10n ** BigInt(digits.length);
    if (total > MAX_INT64 + (negative ? 1n : 0n)) return undefined;
    s = s.slice(part.length);
  }
  return negative ? -total : total;
}

/**
 * strfmt.ParseDuration in nanoseconds (the value CEL sees of a `format: duration` string): Go's
 * time.ParseDuration, else the `<n> <unit>` parts it finds with unit names; undefined when neither parses.
 */
export function parseCrdDuration(s: string): bigint | undefined {
  const go = goParseDuration(s);
  if (go !== undefined) return go;
  let total: bigint | undefined;
  for (const m of s.matchAll(DURATION_PART)) {
    const unit = m[3]!.trim().toLowerCase();
    // strconv.Atoi refuses a factor beyond int64: the whole duration fails.
    if (BigInt(m[2]!) > MAX_INT64) return undefined;
    for (const variants of DURATION_UNITS) {
      variants.forEach((v, i) => {
        // Each variant that matches adds the factor again (Go's loop does not stop at the first).
        if ((i === variants.length - 1 && unit.startsWith(v)) || v === unit) total = BigInt.asIntN(64, (total ?? 0n) + BigInt(m[2]!) * NANOS[variants[0]!]!);
      });
    }
  }
  return total;
}

const isDuration = (s: string): boolean => parseCrdDuration(s) !== undefined;

/** netutils.ParseIPSloppy: dotted quads may have leading zeros. */
function isIPv4Sloppy(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isIP(s: string): boolean {
  return isIPv4Sloppy(s) || (s.includes(':') && !s.includes('%') && isIPv6(s));
}

function isCIDR(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits) || !isIP(ip)) return false;
  return Number(bits) <= (isIPv4Sloppy(ip) ? 32 : 128);
}

/** net/mail.ParseAddress: `local@domain`, or a display name and `<local@domain>`. */
function isEmail(s: string): boolean {
  const addr = /^[^<>]*<([^<>]+)>\s*$/.exec(s)?.[1] ?? s.trim();
  return /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/.test(addr) && !addr.startsWith('.') && !addr.includes('..');
}

/** url.ParseRequestURI: an absolute URI (a scheme) or an absolute path. */
function isRequestURI(s: string): boolean {
  return /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|\/)[^\s]*$/.test(s);
}

function isbn10(s: string): boolean {
  const d = s.replace(/[\s-]/g, '');
  if (!/^(?:[0-9]{9}X|[0-9]{10})$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (i + 1) * Number(d[i]);
  sum += d[9] === 'X' ? 100 : 10 * Number(d[9]);
  return sum % 11 === 0;
}

function isbn13(s: string): boolean {
  const d = s.replace(/[\s-]/g, '');
  if (!/^[0-9]{13}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(d[i]) * (i % 2 ? 3 : 1);
  return (10 - (sum % 10)) % 10 === Number(d[12]);
}

/** govalidator.IsCreditCard: the card patterns on the digits, then Luhn. */
function isCreditCard(s: string): boolean {
  const d = s.replace(/[^0-9]+/g, '');
  if (!CREDITCARD.test(d)) return false;
  let sum = 0;
  for (let i = d.length - 1, dbl = false; i >= 0; i--, dbl = !dbl) {
    let n = Number(d[i]);
    if (dbl && (n *= 2) > 9) n -= 9;
    sum += n;
  }
  return sum % 10 === 0;
}

const FORMATS: Record<string, (s: string) => boolean> = {
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  uri: isRequestURI,
  email: isEmail,
  hostname: (s) => HOSTNAME().test(s) && s.length <= 255 && s.split('.').every((p) => p.length <= 63),
  ipv4: (s) => isIP(s) && s.includes('.'),
  ipv6: (s) => isIP(s) && s.includes(':'),
  cidr: isCIDR,
  mac: (s) => MAC.test(s),
  uuid: (s) => UUID.test(s),
  uuid3: (s) => UUID3.test(s),
  uuid4: (s) => UUID4.test(s),
  uuid5: (s) => UUID5.test(s),
  isbn: (s) => isbn10(s) || isbn13(s),
  isbn10,
  isbn13,
  creditcard: isCreditCard,
  ssn: (s) => SSN.test(s),
  hexcolor: (s) => HEXCOLOR.test(s),
  rgbcolor: (s) => RGBCOLOR.test(s),
  byte: (s) => BASE64.test(s),
  password: () => true,
  date: isDate,
  duration: isDuration,
  datetime: isDateTime,
};

/**
 * Whether a string has the named format; undefined for a format the apiserver does not
 * check (StripUnsupportedFormatsPostProcess drops it from the schema).
 */
export function checkCrdFormat(format: string, value: string): boolean | undefined {
  const check = FORMATS[format.replace(/-/g, '')];
  return check ? check(value) : undefined;
}
