// Turns the text of one manifest source into objects: multi-document YAML (or JSON),
// `List` documents expanded into their items, each object able to say where its fields are.
// Every problem becomes a ManifestError for its document; the other documents still load.
import { parseAllDocuments, LineCounter, isMap, isSeq, isScalar, isAlias, isPair, visit, type Document, type Node } from 'yaml';
import type { KObject } from '../api/types';
import type { FieldPath, ManifestDoc, ManifestError, SourcePosition } from './types';
import { YAML_OPTIONS, MAX_ALIAS_COUNT, LONG_NUMBER, MAY_HOLD_INF_NAN, keepExactInts, unsupportedFloat, withoutUint64 } from './yaml-compat';
import { invalidUtf8Offset, bytePosition } from './utf8';
import { goJson, goJsonKind, goQuote, goUnmarshalTypeError } from '../util/go-format';
import { MAY_BE_PAST_FLOAT64 } from '../util/exact-json';
import { fastParse, fastPositions, fastPositionOf, type FastDoc, type NodePositions } from './fast-yaml';
import { nestingTooDeepAt, MAX_NESTING_DEPTH } from './nesting';

export interface ParsedSource {
  docs: ManifestDoc[];
  errors: ManifestError[];
}

/**
 * `lenient`: kubectl's decoding of `--local` files (sigs.k8s.io/yaml without its strict
 * reader): a duplicate key keeps its last value, and a document without apiVersion or kind
 * is kept, for the caller's decoder to judge (label accepts a missing apiVersion, set does not).
 */
export interface ParseOptions {
  lenient?: boolean;
  /** A duplicate key keeps its last value, nothing else lenient (kubectl's `-f` decoding). */
  lastKeyWins?: boolean;
}

const VALIDATE_SUFFIX = '; if you choose to ignore these errors, turn validation off with --validate=false';

/** Checks raw bytes (binary, UTF-8) and parses them. */
export function parseManifestBytes(buf: Uint8Array, source: string, opts: ParseOptions = {}): ParsedSource & { text?: string } {
  const bad = manifestByteErrors(buf, source);
  if (bad) return bad;
  const text = decodeManifestText(buf);
  const parsed = parseManifestText(text, source, opts);
  return { docs: parsed.docs, errors: parsed.errors, text };
}

/**
 * parseManifestBytes' checks of the raw bytes: the error of a file that is binary or not
 * UTF-8 (no documents, no text), else undefined and decodeManifestText reads the text.
 */
export function manifestByteErrors(buf: Uint8Array, source: string): ParsedSource | undefined {
  const nul = buf.indexOf(0);
  if (nul >= 0) {
    const pos = bytePosition(buf, nul);
    return {
      docs: [],
      errors: [{
        code: 'binary', source, position: { file: source, ...pos },
        message: 'the file contains NUL bytes: it looks like binary data, not YAML or JSON',
        kubectlMessage: `error parsing ${source}: error converting YAML to JSON: yaml: control characters are not allowed`,
        hint: 'pass a YAML or JSON manifest',
      }],
    };
  }
  const bad = invalidUtf8Offset(buf);
  if (bad >= 0) {
    const pos = bytePosition(buf, bad);
    return {
      docs: [],
      errors: [{
        code: 'invalid-utf8', source, position: { file: source, ...pos },
        message: `invalid UTF-8 byte 0x${buf[bad].toString(16).padStart(2, '0')} at byte offset ${bad}`,
        kubectlMessage: `error parsing ${source}: error converting YAML to JSON: yaml: invalid leading UTF-8 octet`,
        hint: 'save the file as UTF-8',
      }],
    };
  }
  return undefined;
}

/** The text of bytes manifestByteErrors passed: UTF-8, without a leading byte order mark. */
export function decodeManifestText(buf: Uint8Array): string {
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** What kubectl puts before go-yaml's message when a manifest does not parse. */
const CONVERTING = 'error converting YAML to JSON: ';

/**
 * go-yaml's own message (`yaml: line 4: found character that cannot start any token`) for the
 * first YAML error of `text` read as one document, as kubectl loads a kubeconfig (duplicate
 * keys allowed); undefined when the manifest reading finds none.
 */
export function goYamlMessage(text: string): string | undefined {
  const m = parseManifestTextFull(text, '', { lastKeyWins: true }).errors[0]?.kubectlMessage;
  const at = m?.indexOf(CONVERTING) ?? -1;
  return at < 0 ? undefined : m!.slice(at + CONVERTING.length);
}

// go-yaml's wording for the common syntax errors, so kubectlMessage reads like kubectl.
const GO_YAML_TEXT: Record<string, string> = {
  TAB_AS_INDENT: 'found character that cannot start any token',
  BAD_INDENT: 'did not find expected key',
  MISSING_CHAR: 'found unexpected end of stream',
  BLOCK_AS_IMPLICIT_KEY: 'mapping values are not allowed in this context',
  MULTILINE_IMPLICIT_KEY: 'could not find expected \':\'',
  UNEXPECTED_TOKEN: 'did not find expected node content',
  BAD_SCALAR_START: 'found character that cannot start any token',
  BAD_DQ_ESCAPE: 'found unknown escape character',
};

const HINTS: Record<string, string> = {
  TAB_AS_INDENT: 'YAML indentation must use spaces: replace the TAB characters with spaces',
  BAD_INDENT: 'check the indentation of this line against the lines above it',
  BLOCK_AS_IMPLICIT_KEY: 'quote a value that contains ": ", or put the nested mapping on its own indented line',
  MISSING_CHAR: 'close the quoted string or bracket',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line and be followed by ":"',
  DUPLICATE_KEY: 'remove one of the two (kubectl 1.32 silently keeps the last one)',
};

/**
 * Parses the text of one source. Pure: no file system access.
 * Most manifests take the fast path (plain JSON, or the common block-YAML subset read
 * without building a syntax tree; positions are computed only when asked for). Anything
 * the fast path is not sure about, and every source with an error, goes through the full
 * parser, so results and error texts are those of `parseManifestTextFull`.
 */
export function parseManifestText(text: string, source: string, opts: ParseOptions = {}): ParsedSource {
  const deep = tooDeep(text, source);
  if (deep) return deep;
  if (opts.lenient) return parseManifestTextFull(text, source, opts);
  const fast = fastParse(text, !opts.lastKeyWins);
  if (fast) {
    const built = buildFastDocs(text, source, fast);
    if (built) return built;
  }
  return parseManifestTextFull(text, source, { lastKeyWins: opts.lastKeyWins });
}

/** The full parse (a `yaml` Document per document, with positions): the reference behaviour. */
/** One clear error for a text nesting deeper than MAX_NESTING_DEPTH (before any parser recurses into it). */
function tooDeep(text: string, source: string): ParsedSource | undefined {
  const at = nestingTooDeepAt(text);
  if (at === undefined) return undefined;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  const message = `the document exceeds the maximum nesting depth of ${MAX_NESTING_DEPTH}`;
  return {
    docs: [],
    errors: [{ code: 'too-deep', source, position: { file: source, line, col: 1 }, message, kubectlMessage: `error parsing ${source}: ${message} (line ${line})` }],
  };
}

export function parseManifestTextFull(text: string, source: string, opts: ParseOptions = {}): ParsedSource {
  const deep = tooDeep(text, source);
  if (deep) return deep;
  const docs: ManifestDoc[] = [];
  const errors: ManifestError[] = [];
  const lc = new LineCounter();
  const at = (offset: number): SourcePosition => ({ file: source, ...lc.linePos(offset) });
  let parsed: Document[];
  try {
    const r = parseAllDocuments(text, { ...YAML_OPTIONS, uniqueKeys: !opts.lenient && !opts.lastKeyWins, lineCounter: lc });
    parsed = Array.isArray(r) ? (r as Document[]) : [];
  } catch (e) {
    errors.push(deepError(source, e));
    return { docs, errors };
  }

  let prevEnd = 0;
  // kubectl's StreamVisitor ends a file at its first YAML decode error: later documents are never read.
  let decodeFailed = false;
  parsed.forEach((doc, docIndex) => {
    if (decodeFailed) return;
    const contents = doc.contents as Node | null;
    const docEnd = doc.range?.[2] ?? text.length;
    const preamble = text.slice(prevEnd, contents?.range ? contents.range[0] : docEnd);
    prevEnd = docEnd;
    const helm = /^#\s*Source:\s*(\S.*?)\s*$/m.exec(preamble)?.[1];

    if (doc.errors.length) {
      // go-yaml stops at its first syntax error; duplicate keys (unmarshal errors) come only after a clean parse.
      const syntax = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
      for (const err of syntax.length ? syntax.slice(0, 1) : doc.errors) errors.push(syntaxError(source, docIndex, doc, err.code, err.message, at(err.pos[0]), lc, text));
      decodeFailed = true;
      return;
    }
    if (contents == null || (isScalar(contents) && contents.value == null)) return; // empty document
    const complexKey = findCollectionKey(doc);
    if (complexKey) {
      const isMapping = isMap(complexKey);
      errors.push({
        code: 'yaml-syntax', source, docIndex, position: complexKey.range ? at(complexKey.range[0]) : undefined,
        message: `a mapping key must be a scalar (a string), not a ${isMapping ? 'mapping' : 'sequence'}`,
        kubectlMessage: `error parsing ${source}: error converting YAML to JSON: yaml: invalid map key: ${goValue(complexKey.toJSON())}`,
        hint: 'a "? " line starts a complex key: write the key as a plain string, or quote it',
      });
      decodeFailed = true;
      return;
    }
    const pastFloat64 = MAY_BE_PAST_FLOAT64.test(text) && /^\s*\{/.test(text) ? jsonNumberPastFloat64(doc) : undefined;
    if (pastFloat64) {
      // A JSON text is read by kubectl's JSON decoder, which refuses the literal (go-yaml keeps it a string).
      const refusal = `json: cannot unmarshal number ${pastFloat64.source} into Go value of type float64`;
      errors.push({
        code: 'yaml-syntax', source, docIndex, position: pastFloat64.range ? at(pastFloat64.range[0]) : undefined,
        message: `the number ${pastFloat64.source} is out of range (past float64)`,
        kubectlMessage: `error validating "${source}": error validating data: ${refusal}; if you choose to ignore these errors, turn validation off with --validate=false`,
        unvalidatedMessage: `unable to decode "${source}": ${refusal}`,
      });
      decodeFailed = true;
      return;
    }
    const long = LONG_NUMBER.test(text);
    if (long) keepExactInts(doc, true);
    let value: unknown;
    // go-yaml's values (ints up to uint64 exact), which YAMLToJSON writes out; the object's are Go's JSON decoders'.
    let exact: unknown;
    try {
      exact = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      value = long ? withoutUint64(exact) : exact;
    } catch (e) {
      const unresolved = e instanceof ReferenceError ? /^Unresolved alias[^:]*: (.*)$/.exec(e.message) : null;
      if (unresolved) {
        // go-yaml's parser refuses an alias of no anchor before it.
        errors.push({
          code: 'yaml-syntax', source, docIndex, position: contents.range ? at(contents.range[0]) : undefined,
          message: `the alias *${unresolved[1]} names no anchor before it`,
          kubectlMessage: `error parsing ${source}: ${CONVERTING}yaml: unknown anchor '${unresolved[1]}' referenced`,
          hint: 'define the anchor (&name) before any alias (*name) that uses it',
        });
      } else if (e instanceof ReferenceError && /alias/i.test(e.message)) {
        errors.push({
          code: 'alias-limit', source, docIndex, position: contents.range ? at(contents.range[0]) : undefined,
          message: `YAML aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT}): refusing to expand it`,
          kubectlMessage: `error parsing ${source}: error converting YAML to JSON: yaml: document contains excessive aliasing`,
          hint: 'this looks like an alias bomb ("billion laughs"); write the values out instead of nesting aliases',
        });
      } else errors.push(deepError(source, e, docIndex));
      decodeFailed = true;
      return;
    }
    const inf = MAY_HOLD_INF_NAN.test(text) ? unsupportedFloat(exact) : undefined;
    if (inf) {
      errors.push({
        code: 'yaml-syntax', source, docIndex, position: contents.range ? at(contents.range[0]) : undefined,
        message: `the value ${inf} (YAML's .inf or .nan) has no JSON form`,
        kubectlMessage: `error parsing ${source}: error converting YAML to JSON: json: unsupported value: ${inf}`,
        hint: 'quote it to keep it a string',
      });
      decodeFailed = true;
      return;
    }
    const base = (p: FieldPath) => positionIn(doc, p, lc, source);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const what = Array.isArray(value) ? 'array' : typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : typeof value;
      errors.push({
        code: 'not-an-object', source, docIndex, position: contents.range ? at(contents.range[0]) : undefined,
        message: `document ${docIndex + 1} is ${Array.isArray(value) ? 'a list' : `a ${what} value`}, not an object: a manifest must be a mapping with apiVersion, kind and metadata`,
        kubectlMessage: `unable to decode "${source}": ${goUnmarshalTypeError(goJsonKind(value), 'unstructured.detector')}`,
        hint: Array.isArray(value) ? 'to group objects, separate documents with "---" or use "kind: List" with "items:"' : undefined,
      });
      return;
    }
    const obj = value as Record<string, unknown>;
    // The bytes kubectl's decoder sees: a JSON stream's value as written, else YAMLToJSON's output.
    const decoded = () => (/^\s*\{/.test(text) && contents.range ? text.slice(contents.range[0], contents.range[1]).trimEnd() : goJson(exact));
    const typeErr = typeMetaError(obj, source, docIndex, base([]), undefined, decoded);
    if (typeErr && !opts.lenient) {
      errors.push(typeErr);
      return;
    }
    const kind = String(obj.kind ?? '');
    if (!typeErr && kind.endsWith('List') && Array.isArray(obj.items)) {
      (obj.items as unknown[]).forEach((item, i) => {
        const itemPos = (p: FieldPath) => base(['items', i, ...p]);
        if (item === null || typeof item !== 'object' || Array.isArray(item)) {
          errors.push({
            code: 'bad-list', source, docIndex, position: itemPos([]),
            message: `items[${i}] of the ${kind} is not an object`,
            kubectlMessage: `unable to decode "${source}": items[${i}] is not an object`,
          });
          return;
        }
        const e = typeMetaError(item as Record<string, unknown>, source, docIndex, itemPos([]), `items[${i}] of the ${kind}`);
        if (e) return void errors.push(e);
        docs.push(makeDoc(source, docIndex, item as Record<string, unknown>, itemPos, helm, i));
      });
      return;
    }
    docs.push(makeDoc(source, docIndex, obj, base, helm, undefined, decoded));
  });
  return { docs, errors };
}

function makeDoc(
  source: string, docIndex: number, obj: Record<string, unknown>, positionOf: (p: FieldPath) => SourcePosition | undefined,
  helmSource: string | undefined, listIndex?: number, decoded?: () => string,
): ManifestDoc {
  const d: ManifestDoc = { source, docIndex, object: obj as KObject, positionOf };
  if (decoded) d.decoded = decoded;
  if (obj.metadata == null) obj.metadata = {};
  if (listIndex !== undefined) d.listIndex = listIndex;
  if (helmSource) d.helmSource = helmSource;
  return d;
}

function typeMetaError(
  obj: Record<string, unknown>, source: string, docIndex: number, position: SourcePosition | undefined, what?: string, decoded?: () => string,
): ManifestError | undefined {
  const noKind = typeof obj.kind !== 'string' || obj.kind === '';
  const noVersion = typeof obj.apiVersion !== 'string' || obj.apiVersion === '';
  if (!noKind && !noVersion) return undefined;
  const missing = [noVersion && 'apiVersion', noKind && 'kind'].filter(Boolean) as string[];
  const data = missing.length === 2 ? '[apiVersion not set, kind not set]' : `${missing[0]} not set`;
  const subject = what ?? `document ${docIndex + 1}`;
  return {
    code: noKind ? 'kind-not-set' : 'apiversion-not-set', source, docIndex, position,
    message: `${subject} has no ${missing.join(' and ')}`,
    kubectlMessage: `error validating "${source}": error validating data: ${data}${VALIDATE_SUFFIX}`,
    // runtime.NewMissingKindErr of the serializer, when no validation ran first.
    unvalidatedMessage: noKind && decoded ? `unable to decode "${source}": Object 'Kind' is missing in '${decoded()}'` : undefined,
    hint: noKind ? 'every object needs "apiVersion" and "kind", e.g. apiVersion: v1 / kind: ConfigMap' : 'add apiVersion, e.g. "apiVersion: apps/v1" for a Deployment or "v1" for core kinds',
  };
}

/**
 * go-yaml's wording and line for an error eemeli/yaml reports at `offset`. go-yaml prints a
 * scanner error's line 1-based, a parser error's 0-based (one less), each at its own token:
 * an unclosed flow collection is a parser error at the token after it; a nested mapping in
 * a compact one is a scanner error at the offending ':'; an unclosed quote ends the stream.
 * `scanner`: a line go-yaml counts from 1 (it prints none for the first line, as for a 0).
 */
function goYamlError(code: string, first: string, offset: number, text: string, lc: LineCounter): { line: number; text: string; scanner: boolean } {
  const line = lc.linePos(offset).line;
  const scanner = (at: number, t: string) => ({ line: at, text: t, scanner: true });
  const parser = (at: number, t: string) => ({ line: at, text: t, scanner: false });
  // A block sequence entry where a mapping wants its next key: go-yaml's parser error at the "-".
  const dash = /^[ \t]*-(?:[ \t\r\n]|$)/.exec(text.slice(offset, offset + 200));
  if ((code === 'MULTILINE_IMPLICIT_KEY' || code === 'BLOCK_AS_IMPLICIT_KEY') && dash) return parser(lc.linePos(offset + dash[0].indexOf('-')).line - 1, GO_YAML_TEXT.BAD_INDENT);
  const flow = /^Flow (sequence|map|mapping) in block collection/.exec(first);
  if (flow) {
    // At the end of the text: after an opening bracket or a comma it wanted a node.
    const wantsNode = /[[{,]$/.test(text.slice(0, offset).trimEnd());
    return parser(line - 1, wantsNode ? 'did not find expected node content' : `did not find expected ',' or '${flow[1] === 'sequence' ? ']' : '}'}'`);
  }
  if (code === 'BLOCK_AS_IMPLICIT_KEY' || code === 'MULTILINE_IMPLICIT_KEY') {
    // A key over two lines, or a nested mapping in a compact one: the scanner stops at its ':'.
    const colon = /:(?=[ \t\r\n]|$)/g;
    colon.lastIndex = offset;
    const m = colon.exec(text);
    if (m || code === 'BLOCK_AS_IMPLICIT_KEY') return scanner(m ? lc.linePos(m.index).line : line, GO_YAML_TEXT.BLOCK_AS_IMPLICIT_KEY);
  }
  if (code === 'MISSING_CHAR' && /quote|Missing closing/i.test(first)) return scanner(lc.linePos(text.length).line, GO_YAML_TEXT[code]);
  if (code === 'MISSING_CHAR' && /^Implicit map keys need to be followed by map values/.test(first)) {
    // A key with no ':': the scanner gives up on it at the next token (or the end).
    const next = /\n[ \t]*[^\s#]/g;
    next.lastIndex = offset;
    const m = next.exec(text);
    return scanner(m ? lc.linePos(m.index + 1).line : lc.linePos(text.length).line, GO_YAML_TEXT.MULTILINE_IMPLICIT_KEY);
  }
  return { line, text: GO_YAML_TEXT[code] ?? first.charAt(0).toLowerCase() + first.slice(1), scanner: SCANNER_CODES.has(code) };
}

/** go-yaml's "line N: ": none for a scanner's first line or a parser's line 0. */
const goYamlLine = (n: number, scanner: boolean): string => (n > (scanner ? 1 : 0) ? `line ${n}: ` : '');

/** The errors go-yaml's scanner (not its parser) reports. */
const SCANNER_CODES = new Set(['TAB_AS_INDENT', 'BAD_SCALAR_START', 'BAD_DQ_ESCAPE', 'MISSING_CHAR', 'BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY']);

/**
 * Where kubectl's YAMLReader starts the document's chunk: the line after its `---` (the first
 * line for the first document). go-yaml decodes each chunk alone, so its line numbers count
 * from there.
 */
function chunkLineOffset(doc: Document, docIndex: number, text: string, lc: LineCounter): number {
  const start = doc.range?.[0] ?? 0;
  if (text.startsWith('---', start)) return lc.linePos(start).line;
  return docIndex === 0 ? 0 : lc.linePos(start).line - 1;
}

function syntaxError(source: string, docIndex: number, doc: Document, code: string, message: string, pos: SourcePosition, lc: LineCounter, text: string): ManifestError {
  const offset = chunkLineOffset(doc, docIndex, text, lc);
  if (code === 'DUPLICATE_KEY') {
    const dup = findDuplicate(doc, lc.lineStarts[pos.line - 1] + pos.col - 1);
    const key = dup?.key ?? '?';
    const first = dup ? lc.linePos(dup.firstOffset).line : undefined;
    return {
      code: 'duplicate-key', source, docIndex, position: pos,
      message: `duplicate key "${key}"${first ? ` (first defined at line ${first})` : ''}: mapping keys must be unique`,
      kubectlMessage: `error parsing ${source}: error converting YAML to JSON: yaml: unmarshal errors:\n  line ${pos.line - offset}: key "${key}" already set in map`,
      hint: HINTS.DUPLICATE_KEY,
    };
  }
  const first = message.split('\n')[0];
  if (/maximum call stack size exceeded/i.test(first)) {
    const m = `the document exceeds the maximum nesting depth of ${MAX_NESTING_DEPTH}`;
    return { code: 'too-deep', source, docIndex, position: pos, message: m, kubectlMessage: `error parsing ${source}: ${m} (line ${pos.line})` };
  }
  const go = goYamlError(code, first, lc.lineStarts[pos.line - 1] + pos.col - 1, text, lc);
  return {
    code: 'yaml-syntax', source, docIndex, position: pos,
    message: `YAML syntax error: ${first}`,
    kubectlMessage: `error parsing ${source}: ${CONVERTING}yaml: ${goYamlLine(go.line - offset, go.scanner)}${go.text}`,
    hint: HINTS[code],
  };
}

function deepError(source: string, e: unknown, docIndex?: number): ManifestError {
  const deep = e instanceof RangeError;
  return {
    code: deep ? 'too-deep' : 'yaml-syntax', source, docIndex,
    message: deep ? `the document exceeds the maximum nesting depth of ${MAX_NESTING_DEPTH}` : `cannot parse: ${(e as Error)?.message ?? String(e)}`,
    kubectlMessage: deep ? `error parsing ${source}: the document exceeds the maximum nesting depth of ${MAX_NESTING_DEPTH}` : `error parsing ${source}: error converting YAML to JSON: yaml: ${(e as Error)?.message}`,
  };
}

function keyText(k: unknown): string {
  return isScalar(k) ? String(k.value) : String(k);
}

/** A JSON document's number literal past float64 (go-yaml's reading keeps it a plain string scalar). */
function jsonNumberPastFloat64(doc: Document): { source: string; range?: [number, number, number] | null } | undefined {
  let found: { source: string; range?: [number, number, number] | null } | undefined;
  visit(doc, {
    Scalar(_, node) {
      if (node.type !== 'PLAIN' || typeof node.value !== 'string' || !/^-?[0-9]/.test(node.value)) return undefined;
      found = { source: node.value, range: node.range };
      return visit.BREAK;
    },
  });
  return found;
}

/** A mapping or sequence used as a mapping key: JSON (and so Kubernetes) has no such keys. */
function findCollectionKey(doc: Document): Node | undefined {
  let found: Node | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isMap(pair.key) || isSeq(pair.key)) {
        found = pair.key;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** A value as Go's %#v prints the interface{} maps and slices go-yaml decodes into. */
function goValue(v: unknown): string {
  if (Array.isArray(v)) return `[]interface {}{${v.map(goValue).join(', ')}}`;
  if (v !== null && typeof v === 'object') {
    return `map[interface {}]interface {}{${Object.entries(v).map(([k, x]) => `${goQuote(k)}:${goValue(x)}`).join(', ')}}`;
  }
  if (v === null || v === undefined) return 'interface {}(nil)';
  return typeof v === 'string' ? goQuote(v) : String(v);
}

function findDuplicate(doc: Document, offset: number): { key: string; firstOffset: number } | undefined {
  let found: { key: string; firstOffset: number } | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Map<string, number>();
      for (const p of map.items) {
        const k = keyText(p.key);
        const start = isScalar(p.key) && p.key.range ? p.key.range[0] : -1;
        if (start === offset && seen.has(k)) {
          found = { key: k, firstOffset: seen.get(k)! };
          return visit.BREAK;
        }
        if (!seen.has(k)) seen.set(k, start);
      }
      return undefined;
    },
  });
  return found;
}

/** Position of the node at `path` (the key, for a map entry), or of the nearest ancestor. */
function positionIn(doc: Document, path: FieldPath, lc: LineCounter, file: string): SourcePosition | undefined {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (!pair) break;
      const k = pair.key as Node | null;
      if (k?.range) offset = k.range[0];
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      if (item.range) offset = item.range[0];
      node = item;
    } else break;
  }
  return offset === undefined ? undefined : { file, ...lc.linePos(offset) };
}

// The fast path: src/manifest/fast-yaml.ts reads the plain values; positions of the
// document and List item starts come with them, others from a second fast reading noting
// them, or a full parse on demand where that one places nothing.

function buildFastDocs(text: string, source: string, fast: FastDoc[]): ParsedSource | undefined {
  const docs: ManifestDoc[] = [];
  let full: { parsed: Document[]; lc: LineCounter } | undefined;
  let placed: { docs: FastDoc[]; at: NodePositions } | null | undefined;
  const fullParse = () => {
    if (!full) {
      const lc = new LineCounter();
      const r = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter: lc });
      full = { parsed: Array.isArray(r) ? (r as Document[]) : [], lc };
    }
    return full;
  };
  for (const d of fast) {
    if (d.dups) {
      // As the full parse reports them: every duplicate of the first document with any,
      // later documents unread (kubectl stops at a file's first decode error).
      const errors = duplicateErrors(text, source, d);
      return errors && { docs, errors };
    }
    const value = d.value;
    if (value == null) continue; // empty document
    if (typeof value !== 'object' || Array.isArray(value)) return undefined;
    const obj = value as Record<string, unknown>;
    if (typeMetaErrorFree(obj) === false) return undefined;
    // The root's position is known without the full parse (every resource asks for it).
    const root: SourcePosition | undefined = d.line === undefined ? undefined : { file: source, line: d.line + 1, col: (d.col ?? 0) + 1 };
    const base = (p: FieldPath): SourcePosition | undefined => {
      if (p.length === 0 && root) return { ...root };
      const item = p.length === 2 && p[0] === 'items' && typeof p[1] === 'number' ? d.items?.[p[1]] : undefined;
      if (item) return { file: source, line: item[0] + 1, col: item[1] + 1 };
      // Block YAML (a JSON text's root has no line): read again noting positions.
      if (d.line !== undefined && placed === undefined) placed = fastPositions(text) ?? null;
      const fd = placed?.docs.find((x) => x.index === d.index);
      const at = fd && fastPositionOf(fd, placed!.at, p);
      if (at) return { file: source, line: at[0] + 1, col: at[1] + 1 };
      const f = fullParse();
      const doc = f.parsed[d.index];
      return doc ? positionIn(doc, p, f.lc, source) : undefined;
    };
    const kind = obj.kind as string;
    if (kind.endsWith('List') && Array.isArray(obj.items)) {
      const items = obj.items as unknown[];
      for (const item of items) {
        if (item === null || typeof item !== 'object' || Array.isArray(item) || !typeMetaErrorFree(item as Record<string, unknown>)) return undefined;
      }
      items.forEach((item, i) => docs.push(makeDoc(source, d.index, item as Record<string, unknown>, (p) => base(['items', i, ...p]), d.helm, i)));
      continue;
    }
    docs.push(makeDoc(source, d.index, obj, base, d.helm));
  }
  return { docs, errors: [] };
}

/**
 * syntaxError's duplicate-key errors from the fast reader's lines; go-yaml counts a line
 * from the document's chunk (after its `---`, or the file's start for a first document
 * without one); undefined for a later document without a `---` (after a `...`), and for
 * a first one whose content starts with `---` (a key such as `---x`, which
 * chunkLineOffset takes for a marker).
 */
function duplicateErrors(text: string, source: string, d: FastDoc): ManifestError[] | undefined {
  const chunkStart = d.marker !== undefined ? d.marker + 1 : d.index === 0 ? 0 : undefined;
  if (chunkStart === undefined) return undefined;
  if (d.marker === undefined) {
    let at = 0;
    for (let l = 0; l < (d.line ?? 0); l++) at = text.indexOf('\n', at) + 1;
    if (text.startsWith('---', at)) return undefined;
  }
  return d.dups!.map((x) => ({
    code: 'duplicate-key', source, docIndex: d.index, position: { file: source, line: x.line + 1, col: x.col + 1 },
    message: `duplicate key "${x.key}" (first defined at line ${x.firstLine + 1}): mapping keys must be unique`,
    kubectlMessage: `error parsing ${source}: error converting YAML to JSON: yaml: unmarshal errors:\n  line ${x.line + 1 - chunkStart}: key "${x.key}" already set in map`,
    hint: HINTS.DUPLICATE_KEY,
  }));
}

function typeMetaErrorFree(obj: Record<string, unknown>): boolean {
  return typeof obj.kind === 'string' && obj.kind !== '' && typeof obj.apiVersion === 'string' && obj.apiVersion !== '';
}
