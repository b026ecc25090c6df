// `$(( ... ))`: shell arithmetic on 64-bit signed integers, with C precedence and the
// assignment operators, as dash evaluates it.

export class ArithError extends Error {}

export interface ArithVars {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

const I64 = (v: bigint) => BigInt.asIntN(64, v);

/** Parses an integer as the shell does (decimal, 0x hex, leading-0 octal); undefined if invalid. */
export function parseShellInt(s: string): bigint | undefined {
  const t = s.trim();
  if (t === '') return 0n;
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(t);
  if (!m) return undefined;
  const body = m[2];
  let v: bigint;
  if (/^0[xX]/.test(body)) v = BigInt(body);
  else if (body.length > 1 && body[0] === '0') v = BigInt('0o' + body.slice(1));
  else v = BigInt(body);
  return I64(m[1] === '-' ? -v : v);
}

type Tok = { t: 'num'; v: bigint } | { t: 'name'; v: string } | { t: 'op'; v: string };

const OPS = ['<<=', '>>=', '||', '&&', '==', '!=', '<=', '>=', '<<', '>>', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '+', '-', '*', '/', '%', '<', '>', '=', '!', '~', '&', '^', '|', '?', ':', '(', ')'];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|[0-9]+)/.exec(src.slice(i, i + 40));
    if (num) {
      const v = parseShellInt(num[1]);
      if (v === undefined || /[A-Za-z_]/.test(src[i + num[1].length] ?? '')) throw new ArithError('expecting EOF');
      out.push({ t: 'num', v });
      i += num[1].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 256));
    if (name) {
      out.push({ t: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ArithError('expecting EOF');
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  return out;
}

const BINARY: Array<string[]> = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '<=', '>', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

export function evalArith(src: string, vars: ArithVars): bigint {
  const toks = tokenize(src);
  let i = 0;
  const peek = () => toks[i];
  const isOp = (v: string) => toks[i]?.t === 'op' && toks[i].v === v;

  const varValue = (name: string): bigint => {
    const raw = vars.get(name) ?? '';
    const v = parseShellInt(raw);
    if (v === undefined) throw new ArithError(`Illegal number: ${raw}`);
    return v;
  };

  // `skip` evaluates without side effects or errors (the untaken side of && || ?:)
  const assignment = (skip: boolean): bigint => {
    const t = peek();
    const n = toks[i + 1];
    if (t?.t === 'name' && n?.t === 'op' && /^(<<|>>|[*/%+\-&^|])?=$/.test(n.v)) {
      i += 2;
      const rhs = assignment(skip);
      if (skip) return 0n;
      const op = n.v.slice(0, -1);
      const v = op ? binop(op, varValue(t.v), rhs) : rhs;
      vars.set(t.v, String(v));
      return v;
    }
    return ternary(skip);
  };
  const ternary = (skip: boolean): bigint => {
    const c = binary(0, skip);
    if (!isOp('?')) return c;
    i++;
    const a = assignment(skip || c === 0n);
    if (!isOp(':')) throw new ArithError('expecting ":"');
    i++;
    const b = ternary(skip || c !== 0n);
    return c !== 0n ? a : b;
  };
  const binary = (level: number, skip: boolean): bigint => {
    if (level >= BINARY.length) return unary(skip);
    let v = binary(level + 1, skip);
    for (;;) {
      const t = peek();
      if (t?.t !== 'op' || !BINARY[level].includes(t.v)) return v;
      i++;
      if (t.v === '||') {
        const r = binary(level + 1, skip || v !== 0n);
        v = v !== 0n || r !== 0n ? 1n : 0n;
      } else if (t.v === '&&') {
        const r = binary(level + 1, skip || v === 0n);
        v = v !== 0n && r !== 0n ? 1n : 0n;
      } else {
        const r = binary(level + 1, skip);
        v = skip ? 0n : binop(t.v, v, r);
      }
    }
  };
  const unary = (skip: boolean): bigint => {
    const t = peek();
    if (t?.t === 'op' && ['+', '-', '!', '~'].includes(t.v)) {
      i++;
      const v = unary(skip);
      return t.v === '+' ? v : t.v === '-' ? I64(-v) : t.v === '!' ? (v === 0n ? 1n : 0n) : I64(~v);
    }
    return primary(skip);
  };
  const primary = (skip: boolean): bigint => {
    const t = toks[i++];
    if (!t) throw new ArithError('expecting primary');
    if (t.t === 'num') return t.v;
    if (t.t === 'name') return skip ? 0n : varValue(t.v);
    if (t.v === '(') {
      const v = assignment(skip);
      if (!isOp(')')) throw new ArithError('expecting ")"');
      i++;
      return v;
    }
    throw new ArithError('expecting primary');
  };

  if (!toks.length) return 0n;
  const v = assignment(false);
  if (i < toks.length) throw new ArithError('expecting EOF');
  return v;
}

function binop(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '+':
      return I64(a + b);
    case '-':
      return I64(a - b);
    case '*':
      return I64(a * b);
    case '/':
    case '%':
      if (b === 0n) throw new ArithError('division by zero');
      return I64(op === '/' ? a / b : a % b);
    case '<<':
      return I64(a << (b & 63n));
    case '>>':
      return a >> (b & 63n);
    case '&':
      return a & b;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
    case '==':
      return a === b ? 1n : 0n;
    case '!=':
      return a !== b ? 1n : 0n;
    case '<':
      return a < b ? 1n : 0n;
    case '<=':
      return a <= b ? 1n : 0n;
    case '>':
      return a > b ? 1n : 0n;
    case '>=':
      return a >= b ? 1n : 0n;
  }
  throw new ArithError('expecting primary');
}
