// kubectl's JSONPath templates: a port of k8s.io/client-go/util/jsonpath (parser + evaluator).
// Hand-written; no eval. Values are decoded JSON (objects, arrays, strings, numbers, ...).
import { isObject } from '../api/types';
import { CliError } from '../api/errors';
import { byteOrder, goFloat, goJson, goNumber, goQuote, goSharpV, goSprint } from '../util/go-format';
import { INT64_MAX, INT64_MIN } from '../util/exact-json';

export class JsonPathError extends Error {}
/** One of kubesim's own bounds on a template's work: an error to report, never a missing field. */
export class JsonPathLimitError extends JsonPathError {}

type Node =
  | { t: 'text'; text: string }
  | { t: 'list'; nodes: Node[] }
  | { t: 'field'; name: string }
  | { t: 'array'; params: Param[] }
  | { t: 'filter'; left: ListNode; right: ListNode; op: string }
  | { t: 'int'; value: number }
  | { t: 'float'; value: number }
  | { t: 'bool'; value: boolean }
  | { t: 'wildcard' }
  | { t: 'recursive' }
  | { t: 'union'; nodes: ListNode[] }
  | { t: 'identifier'; name: string };
type ListNode = { t: 'list'; nodes: Node[] };
interface Param {
  known: boolean;
  value: number;
  derived: boolean;
}

const EOF = '';

/** The parser of client-go/util/jsonpath/parser.go: `{...}` actions inside literal text. */
class Parser {
  private input = '';
  private pos = 0;
  private start = 0;
  private width = 0;
  root: ListNode = { t: 'list', nodes: [] };

  parse(text: string): ListNode {
    this.input = text;
    this.root = { t: 'list', nodes: [] };
    this.pos = 0;
    this.start = 0;
    this.parseText(this.root);
    return this.root;
  }

  private next(): string {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const cp = this.input.codePointAt(this.pos)!;
    const ch = String.fromCodePoint(cp);
    this.width = ch.length;
    this.pos += this.width;
    return ch;
  }
  private peek(): string {
    const r = this.next();
    this.backup();
    return r;
  }
  private backup(): void {
    this.pos -= this.width;
  }
  private consumeText(): string {
    const v = this.input.slice(this.start, this.pos);
    this.start = this.pos;
    return v;
  }

  private parseText(cur: ListNode): void {
    for (;;) {
      if (this.input.startsWith('{', this.pos)) {
        if (this.pos > this.start) cur.nodes.push({ t: 'text', text: this.consumeText() });
        this.parseLeftDelim(cur);
        return;
      }
      if (this.next() === EOF) break;
    }
    if (this.pos > this.start) cur.nodes.push({ t: 'text', text: this.consumeText() });
  }

  private parseLeftDelim(cur: ListNode): void {
    this.pos += 1;
    this.consumeText();
    const n: ListNode = { t: 'list', nodes: [] };
    cur.nodes.push(n);
    this.parseInsideAction(n);
  }

  private parseInsideAction(cur: ListNode): void {
    // Iterative form of the Go recursion (each branch "returns p.parseInsideAction(cur)").
    for (;;) {
      const rest = this.input.slice(this.pos);
      if (rest.startsWith('}')) {
        this.pos += 1;
        this.consumeText();
        this.parseText(this.root);
        return;
      }
      if (rest.startsWith('[?(')) {
        this.parseFilter(cur);
        continue;
      }
      if (rest.startsWith('..')) {
        this.parseRecursive(cur);
        continue;
      }
      const r = this.next();
      if (r === EOF || r === '\r' || r === '\n') throw new JsonPathError('unclosed action');
      if (r === ' ') this.consumeText();
      else if (r === '@' || r === '$') this.consumeText();
      else if (r === '[') this.parseArray(cur);
      else if (r === '"' || r === "'") this.parseQuote(cur, r);
      else if (r === '.') this.parseField(cur);
      else if (r === '+' || r === '-' || isDigit(r)) {
        this.backup();
        this.parseNumber(cur);
      } else if (isAlphaNumeric(r)) {
        this.backup();
        this.parseIdentifier(cur);
      } else throw new JsonPathError(`unrecognized character in action: ${goRuneU(r)}`);
    }
  }

  private parseIdentifier(cur: ListNode): void {
    for (;;) {
      const r = this.next();
      if (isTerminator(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (value === 'true' || value === 'false') cur.nodes.push({ t: 'bool', value: value === 'true' });
    else cur.nodes.push({ t: 'identifier', name: value });
  }

  private parseRecursive(cur: ListNode): void {
    const last = cur.nodes[cur.nodes.length - 1];
    if (last && last.t === 'recursive') throw new JsonPathError('invalid multiple recursive descent');
    this.pos += 2;
    this.consumeText();
    cur.nodes.push({ t: 'recursive' });
    if (isAlphaNumeric(this.peek())) this.parseField(cur);
  }

  private parseNumber(cur: ListNode): void {
    let r = this.peek();
    if (r === '+' || r === '-') this.next();
    for (;;) {
      r = this.next();
      if (r !== '.' && !isDigit(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (/^[+-]?\d+$/.test(value)) {
      cur.nodes.push({ t: 'int', value: Number(value) });
      return;
    }
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(value)) {
      cur.nodes.push({ t: 'float', value: Number(value) });
      return;
    }
    throw new JsonPathError(`cannot parse number ${value}`);
  }

  private parseArray(cur: ListNode): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === '\n') throw new JsonPathError('unterminated array');
      if (r === ']') break;
    }
    let text = this.consumeText();
    text = text.slice(1, -1);
    if (text === '*') text = ':';

    const strs = text.split(',');
    if (strs.length > 1) {
      const union: ListNode[] = strs.map((s) => parseAction(`[${s.replace(/^ +| +$/g, '')}]`));
      cur.nodes.push({ t: 'union', nodes: union });
      return;
    }
    const dict = /^'([^']*)'$/.exec(text);
    if (dict) {
      for (const n of parseAction(`.${dict[1]}`).nodes) cur.nodes.push(n);
      return;
    }
    const m = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/.exec(text);
    if (!m) throw new JsonPathError(`invalid array index ${text}`);
    const value = [m[1] ?? '', m[2] ?? '', m[3] ?? ''];
    const params: Param[] = [];
    for (let i = 0; i < 3; i++) {
      const p: Param = { known: false, value: 0, derived: false };
      if (value[i] !== '') {
        if (i > 0) value[i] = value[i].slice(1);
        if (i > 0 && value[i] === '') p.known = false;
        else {
          p.known = true;
          // strconv.Atoi: digits that do not fit Go's int are not a number either.
          if (!/^[+-]?\d+$/.test(value[i]) || BigInt(value[i]) > INT64_MAX || BigInt(value[i]) < INT64_MIN) throw new JsonPathError(`array index ${value[i]} is not a number`);
          p.value = Number(value[i]);
        }
      } else if (i === 1) {
        p.known = true;
        p.value = params[0].value + 1;
        p.derived = true;
      }
      params.push(p);
    }
    cur.nodes.push({ t: 'array', params });
  }

  private parseFilter(cur: ListNode): void {
    this.pos += 3;
    this.consumeText();
    let begin = false;
    let end = false;
    let pair = '';
    for (;;) {
      const r = this.next();
      if (r === EOF || r === '\n') throw new JsonPathError('unterminated filter');
      if (r === '"' || r === "'") {
        if (!begin) {
          begin = true;
          pair = r;
          continue;
        }
        if (this.input[this.pos - 2] !== '\\' && r === pair) end = true;
      } else if (r === ')') {
        if (begin === end) break;
      }
    }
    if (this.next() !== ']') throw new JsonPathError('unclosed array expect ]');
    let text = this.consumeText();
    text = text.slice(0, -2);
    const m = /^([^!<>=]+)([!<>=]+)(.+?)$/s.exec(text);
    if (!m) cur.nodes.push({ t: 'filter', left: parseAction(text), right: { t: 'list', nodes: [] }, op: 'exists' });
    else cur.nodes.push({ t: 'filter', left: parseAction(m[1]), right: parseAction(m[3]), op: m[2] });
  }

  private parseQuote(cur: ListNode, end: string): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === '\n') throw new JsonPathError('unterminated quoted string');
      if (r === '\\') {
        const r2 = this.next();
        if (r2 !== EOF && r2 !== '\n') continue;
        break;
      }
      if (r === end) break;
    }
    const value = this.consumeText();
    const s = unquoteExtend(value);
    if (s === undefined) throw new JsonPathError(`unquote string ${value} error invalid syntax`);
    cur.nodes.push({ t: 'text', text: s });
  }

  private parseField(cur: ListNode): void {
    this.consumeText();
    while (this.advance()) {
      /* scan */
    }
    const value = this.consumeText();
    if (value === '*') cur.nodes.push({ t: 'wildcard' });
    else cur.nodes.push({ t: 'field', name: value.replace(/\\/g, '') });
  }

  private advance(): boolean {
    const r = this.next();
    if (r === '\\') this.next();
    else if (isTerminator(r)) {
      this.backup();
      return false;
    }
    return true;
  }
}

function parseAction(text: string): ListNode {
  const root = new Parser().parse(`{${text}}`);
  return root.nodes[0] as ListNode;
}

const isDigit = (r: string): boolean => /^\p{Nd}$/u.test(r);
const isAlphaNumeric = (r: string): boolean => r === '_' || /^[\p{L}\p{Nd}]$/u.test(r);
function isTerminator(r: string): boolean {
  return r === EOF || ' \t\r\n.,[]$@{}'.includes(r);
}
function goRuneU(r: string): string {
  const cp = r.codePointAt(0)!;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${r}'`;
}

/** strconv.Unquote extended to single-quoted strings of any length. */
function unquoteExtend(s: string): string | undefined {
  if (s.length < 2) return undefined;
  const q = s[0];
  if (q !== s[s.length - 1] || (q !== '"' && q !== "'")) return undefined;
  s = s.slice(1, -1);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === q) return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[++i];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
    if (e in simple) out += simple[e];
    else if (e === q) out += q;
    else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = s.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) return undefined;
      out += String.fromCodePoint(parseInt(hex, 16));
      i += n;
    } else if (e !== undefined && /[0-7]/.test(e)) {
      const oct = s.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else return undefined;
  }
  return out;
}

// ---- evaluation -----------------------------------------------------------

/** A result value; `Missing` never appears, JSON null does (as null). */
type Value = unknown;

/** A parsed template; reusable across objects. */
/**
 * Bound of one evaluation, in values visited (Go has none: nested recursive ranges grow
 * exponentially). Far above what any real template over a large list needs.
 */
export const MAX_JSONPATH_STEPS = 2_000_000;

export class JsonPath {
  readonly root: ListNode;
  private steps = 0;
  allowMissingKeys = false;
  private inRange = 0;
  private beginRange = 0;
  private endRange = 0;
  private lastEndNode: Node | undefined;

  constructor(readonly template: string) {
    try {
      this.root = new Parser().parse(template);
    } catch (e) {
      if (e instanceof RangeError) throw new JsonPathLimitError('the template nests deeper than kubesim can follow');
      throw e;
    }
  }

  /** FindResults: one result list per top-level node (range blocks expand in place). */
  findResults(data: unknown): Value[][] {
    this.inRange = 0;
    this.beginRange = 0;
    this.endRange = 0;
    this.steps = 0;
    try {
      return this.find(data, this.root.nodes);
    } catch (e) {
      if (e instanceof RangeError) throw new JsonPathLimitError('the template nests deeper than kubesim can follow');
      throw e;
    }
  }

  private find(data: unknown, nodes: Node[]): Value[][] {
    const full: Value[][] = [];
    const cur: Value[] = [data];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      const results = this.walk(cur, node);
      if (this.endRange > 0 && this.endRange <= this.inRange) {
        this.endRange--;
        this.lastEndNode = nodes[i];
        break;
      }
      if (this.beginRange > 0) {
        this.beginRange--;
        this.inRange++;
        if (results.length > 0) {
          for (const v of results) full.push(...this.find(v, nodes.slice(i + 1)));
        } else {
          this.find(null, nodes.slice(i + 1));
        }
        this.inRange--;
        for (let k = i + 1; k < nodes.length; k++) {
          if (nodes[k] === this.lastEndNode) {
            i = k;
            break;
          }
        }
        continue;
      }
      full.push(results);
    }
    return full;
  }

  private walk(input: Value[], node: Node): Value[] {
    this.steps += input.length + 1;
    if (this.steps > MAX_JSONPATH_STEPS) throw new JsonPathLimitError(`evaluation exceeds kubesim's limit of ${MAX_JSONPATH_STEPS} steps`);
    switch (node.t) {
      case 'list':
        return this.evalList(input, node);
      case 'text':
        return [node.text];
      case 'field':
        return this.evalField(input, node.name);
      case 'array':
        return this.evalArray(input, node.params);
      case 'filter':
        return this.evalFilter(input, node);
      case 'int':
      case 'float':
      case 'bool':
        return input.map(() => node.value);
      case 'wildcard':
        return this.evalWildcard(input);
      case 'recursive':
        return this.evalRecursive(input);
      case 'union':
        return node.nodes.flatMap((l) => this.evalList(input, l));
      case 'identifier':
        if (node.name === 'range') {
          this.beginRange++;
          return input;
        }
        if (node.name === 'end') {
          if (this.inRange > 0) {
            this.endRange++;
            return [];
          }
          throw new JsonPathError('not in range, nothing to end');
        }
        throw new JsonPathError(`unrecognized identifier ${node.name}`);
    }
  }

  private evalList(input: Value[], node: ListNode): Value[] {
    let cur = input;
    for (const n of node.nodes) cur = this.walk(cur, n);
    return cur;
  }

  private evalField(input: Value[], name: string): Value[] {
    const results: Value[] = [];
    if (input.length === 0) return results;
    for (const v of input) {
      if (v === null || v === undefined) continue;
      if (isObject(v) && Object.prototype.hasOwnProperty.call(v, name)) results.push(v[name]);
    }
    if (results.length === 0 && !this.allowMissingKeys) throw new JsonPathError(`${name} is not found`);
    return results;
  }

  private evalArray(input: Value[], node: Param[]): Value[] {
    const result: Value[] = [];
    for (const v of input) {
      if (v === null || v === undefined) continue;
      if (!Array.isArray(v)) throw new JsonPathError(`${goTypeName(v)} is not array or slice`);
      const p = node.map((x) => ({ ...x }));
      const len = v.length;
      if (!p[0].known) p[0].value = 0;
      if (p[0].value < 0) p[0].value += len;
      if (!p[1].known) p[1].value = len;
      if (p[1].value < 0 || (p[1].value === 0 && p[1].derived)) p[1].value += len;
      if (p[1].value !== p[0].value) {
        if (p[0].value >= len || p[0].value < 0) throw new JsonPathError(`array index out of bounds: index ${p[0].value}, length ${len}`);
        if (p[1].value > len || p[1].value < 0) throw new JsonPathError(`array index out of bounds: index ${p[1].value - 1}, length ${len}`);
        if (p[0].value > p[1].value) throw new JsonPathError(`starting index ${p[0].value} is greater than ending index ${p[1].value}`);
      } else return result;
      const slice = v.slice(p[0].value, p[1].value);
      let step = 1;
      if (p[2].known) {
        if (p[2].value <= 0) throw new JsonPathError('step must be > 0');
        step = p[2].value;
      }
      for (let i = 0; i < slice.length; i += step) result.push(slice[i]);
    }
    return result;
  }

  private children(v: Value): Value[] {
    if (isObject(v)) return Object.keys(v).sort(byteOrder).map((k) => v[k]);
    if (Array.isArray(v)) return v;
    if (typeof v === 'string') return [...Buffer.from(v, 'utf8')];
    return [];
  }

  private evalWildcard(input: Value[]): Value[] {
    return input.flatMap((v) => (v === null || v === undefined ? [] : this.children(v)));
  }

  private evalRecursive(input: Value[]): Value[] {
    const result: Value[] = [];
    for (const v of input) {
      if (v === null || v === undefined) continue;
      const kids = this.children(v);
      if (kids.length !== 0) {
        result.push(v);
        result.push(...this.evalRecursive(kids));
      }
    }
    return result;
  }

  private evalFilter(input: Value[], node: Extract<Node, { t: 'filter' }>): Value[] {
    const results: Value[] = [];
    for (const v of input) {
      if (!Array.isArray(v)) throw new JsonPathError(`${goSprint(v)} is not array or slice and cannot be filtered`);
      for (const el of v) {
        let lefts: Value[];
        if (node.op === 'exists') {
          try {
            lefts = this.evalList([el], node.left);
          } catch {
            lefts = [];
          }
          if (lefts.length > 0) results.push(el);
          continue;
        }
        lefts = this.evalList([el], node.left);
        if (lefts.length === 0) continue;
        if (lefts.length > 1) throw new JsonPathError('can only compare one element at a time');
        const rights = this.evalList([el], node.right);
        if (rights.length === 0) continue;
        if (rights.length > 1) throw new JsonPathError('can only compare one element at a time');
        if (compare(node.op, lefts[0], rights[0])) results.push(el);
      }
    }
    return results;
  }
}

function goTypeName(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'bigint') return 'int64';
  if (typeof v === 'boolean') return 'bool';
  if (isObject(v)) return 'map[string]interface {}';
  return 'interface {}';
}

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid';
function basicKind(v: unknown): Kind {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'string';
  return 'invalid';
}

/** text/template's eq/ne/lt/le/gt/ge as forked into jsonpath (no cross-kind comparison). */
function compare(op: string, a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  const eq = (): boolean => {
    if (ka === 'invalid' || kb === 'invalid') throw new JsonPathError('invalid type for comparison');
    if (ka !== kb) throw new JsonPathError('incompatible types for comparison');
    return a === b;
  };
  const lt = (): boolean => {
    if (ka === 'invalid' || kb === 'invalid' || ka === 'bool' || kb === 'bool') throw new JsonPathError('invalid type for comparison');
    if (ka !== kb) throw new JsonPathError('incompatible types for comparison');
    return (a as number | string) < (b as number | string);
  };
  switch (op) {
    case '==':
      return eq();
    case '!=':
      return !eq();
    case '<':
      return lt();
    case '<=':
      return lt() || eq();
    case '>':
      return !lt() && !eq();
    case '>=':
      return !lt();
  }
  throw new JsonPathError(`unrecognized filter operator ${op}`);
}

/** PrintResults: strings raw, maps/lists compact JSON, results space-separated. */
export function printResults(results: Value[], asJson = false): string {
  if (asJson) return goJson(results, '    ') + '\n';
  return results
    .map((r) => {
      if (isObject(r) || Array.isArray(r)) return goJson(r);
      return textOf(r);
    })
    .join(' ');
}

function textOf(v: Value): string {
  // evalToText prints a nil interface as "null".
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return goNumber(v);
  return goSprint(v);
}

export { goFloat };

export interface JsonPathOptions {
  allowMissingKeys?: boolean;
  /** -o jsonpath-as-json */
  asJson?: boolean;
}

/**
 * explain's jsonPathParse (kubectl pkg/explain/explain.go): `{.` + `input` (a trailing dot
 * dropped) + `}` parsed, which must be one action; its nodes, a field's name or null for any
 * other node (`..` is a recursive descent).
 */
export function explainPathNodes(input: string): (string | null)[] {
  const root = new JsonPath(`{.${input.replace(/\.$/, '')}}`).root;
  if (root.nodes.length !== 1) throw new JsonPathError('must pass in 1 jsonpath string');
  return (root.nodes[0] as ListNode).nodes.map((n) => (n.t === 'field' ? n.name : null));
}

/** Executes a template against data (Execute = FindResults + PrintResults). */
export function executeJsonPath(template: string | JsonPath, data: unknown, opts: JsonPathOptions = {}): string {
  const jp = typeof template === 'string' ? new JsonPath(template) : template;
  jp.allowMissingKeys = opts.allowMissingKeys ?? false;
  return jp
    .findResults(data)
    .map((r) => printResults(r, opts.asJson))
    .join('');
}

/**
 * RelaxedJSONPathExpression (kubectl get/sort-by/custom-columns): accepts `.a.b`, `a.b`,
 * `{.a.b}` and returns the braced form; throws on unbalanced braces.
 */
export function relaxedJsonPath(pathExpression: string): string {
  if (pathExpression.length === 0) return pathExpression;
  const m = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/.exec(pathExpression);
  if (!m) {
    throw new JsonPathError('unexpected path string, expected a \'name1.name2\' or \'.name1.name2\' or \'{name1.name2}\' or \'{.name1.name2}\'');
  }
  const inner = m[1] ?? m[2];
  return `{.${inner}}`;
}

/**
 * kubectl's JSONPath printer (`-o jsonpath=...` / `-o jsonpath-as-json=...`): parses now,
 * prints later, with allowMissingKeys (the --allow-missing-template-keys default) and
 * kubectl's error texts. The returned function gets the object or List as plain JSON.
 * Error messages lack kubectl's final newline (the CLI adds one when printing).
 */
export function jsonPathPrinter(template: string, opts: JsonPathOptions = {}): (data: unknown) => string {
  let jp: JsonPath;
  try {
    jp = new JsonPath(template);
  } catch (e) {
    throw new CliError(`error parsing jsonpath ${template}, ${(e as Error).message}`);
  }
  return (data) => {
    try {
      return executeJsonPath(jp, data, { allowMissingKeys: opts.allowMissingKeys ?? true, asJson: opts.asJson });
    } catch (e) {
      if (!(e instanceof JsonPathError)) throw e;
      const debug =
        `Error executing template: ${e.message}. Printing more information for debugging the template:\n` +
        `\ttemplate was:\n\t\t${template}\n` +
        `\tobject given to jsonpath engine was:\n\t\t${goSharpV(data)}\n\n`;
      throw new CliError(`error executing jsonpath ${goQuote(template)}: ${debug}`);
    }
  };
}
