// `kubectl explain --output=plaintext-openapiv2`: kubectl's first explain (pkg/explain), which
// reads /openapi/v2 as kube-openapi's proto.Models (a $ref, an object with properties — a Kind —,
// an object without them — a map —, an array, a primitive, or anything else — arbitrary) and
// prints KIND/VERSION, the descriptions and the fields with its own 80-column word wrapping.

import type { OpenApiSchema } from './openapi-view';

type Model =
  | { kind: 'ref'; description: string; ref: string }
  | { kind: 'kind'; description: string; fields: Record<string, OpenApiSchema>; required: string[] }
  | { kind: 'map'; description: string; sub: OpenApiSchema | undefined }
  | { kind: 'array'; description: string; sub: OpenApiSchema | undefined }
  | { kind: 'primitive'; description: string; type: string }
  | { kind: 'arbitrary'; description: string };

export interface V2Gvk {
  group: string;
  version: string;
  kind: string;
}

export class V2ExplainError extends Error {}

/** proto.Definitions.ParseSchema over the JSON the server serves. */
function parse(s: OpenApiSchema | undefined): Model {
  const description = typeof s?.description === 'string' ? s.description : '';
  if (!s) return { kind: 'arbitrary', description };
  if (typeof s.$ref === 'string') return { kind: 'ref', description, ref: s.$ref.replace('#/definitions/', '') };
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === undefined || type === 'object') {
    if (s.properties !== undefined) return { kind: 'kind', description, fields: s.properties ?? {}, required: s.required ?? [] };
    if (type === undefined) return { kind: 'arbitrary', description };
    // additionalProperties without a schema (absent or a boolean): a map of anything, described as the map is.
    return { kind: 'map', description, sub: typeof s.additionalProperties === 'object' ? s.additionalProperties : { description } };
  }
  if (type === 'array') return { kind: 'array', description, sub: s.items };
  return { kind: 'primitive', description, type };
}

class Printer {
  constructor(private readonly defs: Record<string, OpenApiSchema>) {}
  out = '';

  deref(m: Model & { kind: 'ref' }): Model {
    return parse(this.defs[m.ref]);
  }

  typeName(m: Model): string {
    switch (m.kind) {
      case 'array':
        return `[]${this.typeName(parse(m.sub))}`;
      case 'map':
        return `map[string]${this.typeName(parse(m.sub))}`;
      case 'kind':
        return 'Object';
      case 'primitive':
        return m.type;
      case 'ref':
        return this.typeName(this.deref(m));
      default:
        return '';
    }
  }

  /** fieldLookup: down the path through references, arrays and maps; a primitive or arbitrary value ends it wherever it is. */
  lookup(m: Model, path: string[]): Model {
    if (m.kind === 'primitive' || m.kind === 'arbitrary') return m;
    if (path.length === 0) return m;
    if (m.kind === 'ref') return this.lookup(this.deref(m), path);
    if (m.kind === 'array' || m.kind === 'map') return this.lookup(parse(m.sub), path);
    if (!Object.prototype.hasOwnProperty.call(m.fields, path[0])) throw new V2ExplainError(`field "${path[0]}" does not exist`);
    return this.lookup(parse(m.fields[path[0]]), path.slice(1));
  }

  /** Formatter.Write: an empty line has no indent. */
  write(indent: number, s: string): void {
    this.out += s === '' ? '\n' : ' '.repeat(indent) + s + '\n';
  }

  writeWrapped(indent: number, s: string): void {
    for (const line of wrapString(s, 80 - indent)) this.write(indent, line);
  }

  model(name: string, root: Model, gvk: V2Gvk, recursive: boolean): void {
    const descriptions: string[] = [];
    let type = '';
    const kindAndVersion = () => {
      this.write(0, `KIND:     ${gvk.kind}`);
      this.write(0, `VERSION:  ${gvk.group ? `${gvk.group}/` : ''}${gvk.version}\n`);
    };
    const description = (own: string) => {
      this.write(0, 'DESCRIPTION:');
      let empty = true;
      [...descriptions, own].forEach((d, i) => {
        if (d === '') return;
        empty = false;
        if (i !== 0) this.write(0, '');
        this.writeWrapped(5, d);
      });
      if (empty) this.writeWrapped(5, '<empty>');
    };
    for (let m = root; ; ) {
      switch (m.kind) {
        case 'ref':
          descriptions.push(m.description);
          m = this.deref(m);
          continue;
        case 'array':
        case 'map':
          descriptions.push(m.description);
          type ||= this.typeName(m);
          m = parse(m.sub);
          continue;
        case 'kind':
          kindAndVersion();
          type ||= 'Object';
          if (name) this.write(0, `RESOURCE: ${name} <${type}>\n`);
          description(m.description);
          this.write(0, '\nFIELDS:');
          if (recursive) this.recursiveFields(m, 3, new Set());
          else this.fields(m, 3);
          return;
        case 'primitive':
          kindAndVersion();
          type ||= m.type;
          this.write(0, `FIELD:    ${name} <${type}>\n`);
          description(m.description);
          return;
        default:
          kindAndVersion();
          description(m.description);
          return;
      }
    }
  }

  /** The Kind a field printer reaches through arrays, maps and references (none for the rest). */
  private fieldsOf(m: Model): (Model & { kind: 'kind' }) | undefined {
    for (;;) {
      if (m.kind === 'kind') return m;
      if (m.kind === 'array' || m.kind === 'map') m = parse(m.sub);
      else if (m.kind === 'ref') m = this.deref(m);
      else return undefined;
    }
  }

  private fields(m: Model, indent: number): void {
    const k = this.fieldsOf(m);
    if (!k) return;
    for (const key of Object.keys(k.fields).sort()) {
      const f = parse(k.fields[key]);
      this.write(indent, `${key}\t<${this.typeName(f)}>${k.required.includes(key) ? ' -required-' : ''}`);
      this.writeWrapped(indent + 2, f.description);
      this.write(indent, '');
    }
  }

  /** recursiveFieldsPrinter: every field's fields, a reference not followed again inside itself. */
  private recursiveFields(m: Model, indent: number, visited: Set<string>): void {
    let cur = m;
    while (cur.kind === 'array' || cur.kind === 'map') cur = parse(cur.sub);
    if (cur.kind === 'ref') {
      if (visited.has(cur.ref)) return;
      visited.add(cur.ref);
      this.recursiveFields(this.deref(cur), indent, visited);
      visited.delete(cur.ref);
      return;
    }
    if (cur.kind !== 'kind') return;
    for (const key of Object.keys(cur.fields).sort()) {
      const f = parse(cur.fields[key]);
      this.write(indent, `${key}\t<${this.typeName(f)}>`);
      this.recursiveFields(f, indent + 3, visited);
    }
  }
}

/**
 * explain.PrintModelDescription for the definition `defs` gives `gvk` (LookupResource), the
 * field at `fieldPath` under it. Throws V2ExplainError with kubectl's message.
 */
export function renderExplainV2(defs: Record<string, OpenApiSchema>, gvk: V2Gvk, fieldPath: string[], recursive: boolean): string {
  const name = Object.keys(defs).find((n) => (defs[n]['x-kubernetes-group-version-kind'] ?? []).some((g: V2Gvk) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind));
  if (!name) throw new V2ExplainError(`couldn't find resource for "${gvk.group}/${gvk.version}, Kind=${gvk.kind}"`);
  const p = new Printer(defs);
  const target = p.lookup(parse(defs[name]), fieldPath);
  p.model(fieldPath.length ? fieldPath[fieldPath.length - 1] : '', target, gvk, recursive);
  return p.out;
}

const byteLen = (s: string): number => Buffer.byteLength(s, 'utf8');
const fields = (s: string): string[] => s.split(/\s+/).filter(Boolean);
const BULLET = /^(\d+\.?|-|\*)[\t\n\f\r ]/;

function shouldStartNewLine(lastWord: string, str: string): boolean {
  if (lastWord.endsWith(':') || str.startsWith('    ')) return true;
  const t = str.trim();
  return t.length === 0 || BULLET.test(t);
}

/**
 * pkg/explain's wrapString: words joined up to `wrap` bytes, a new line after a word ending in
 * a colon, before a bullet, an indented (code) line kept as it is, and a blank line kept —
 * except before the first line is out, where it is lost.
 */
export function wrapString(text: string, wrap: number): string[] {
  const wrapped: string[] = [];
  let line: string[] = [];
  let lastWord = '';
  const flush = () => {
    if (line.length) {
      lastWord = '';
      wrapped.push(line.join(' '));
      line = [];
    }
  };
  for (const str of text.split('\n')) {
    if (str.startsWith('    ')) {
      flush();
      wrapped.push(str);
      continue;
    }
    if (wrapped.length > 0 && str.trim().length === 0) {
      flush();
      wrapped.push('');
      continue;
    }
    if (shouldStartNewLine(lastWord, str)) flush();
    for (const word of fields(str)) {
      lastWord = word;
      if (line.length && byteLen([...line, word].join(' ')) > wrap) flush();
      line.push(word);
    }
  }
  flush();
  return wrapped;
}
