// Sets of field paths, as structured-merge-diff's fieldpath.Set: a tree whose edges are path
// elements and whose nodes may be members. Path elements are kept in their FieldsV1 spelling
// ("f:name", "k:{"name":"app"}", "v:"x"", "i:0"), so a set reads and writes FieldsV1 directly.

import { parseJson, stringifyJson } from '../../util/exact-json';

export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  static fromPaths(paths: string[][]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: readonly string[]): void {
    let n: FieldSet = this;
    for (const pe of path) {
      let c = n.children.get(pe);
      if (!c) n.children.set(pe, (c = new FieldSet()));
      n = c;
    }
    n.member = true;
  }

  /** The node at `path`, made (not a member) where missing: for building a set node by node. */
  at(path: readonly string[]): FieldSet {
    let n: FieldSet = this;
    for (const pe of path) n = n.child(pe);
    return n;
  }

  /** The child node at `pe`, made (not a member) if missing. */
  child(pe: string): FieldSet {
    let c = this.children.get(pe);
    if (!c) this.children.set(pe, (c = new FieldSet()));
    return c;
  }

  has(path: readonly string[]): boolean {
    const n = this.node(path);
    return Boolean(n?.member);
  }

  node(path: readonly string[]): FieldSet | undefined {
    let n: FieldSet | undefined = this;
    for (const pe of path) {
      n = n.children.get(pe);
      if (!n) return undefined;
    }
    return n;
  }

  /** True when any member lies strictly below `path`. */
  hasDescendants(path: readonly string[]): boolean {
    const n = this.node(path);
    return Boolean(n && !n.emptyBelow());
  }

  private emptyBelow(): boolean {
    for (const c of this.children.values()) if (c.member || !c.emptyBelow()) return false;
    return true;
  }

  empty(): boolean {
    return !this.member && this.emptyBelow();
  }

  clone(): FieldSet {
    const s = new FieldSet();
    s.member = this.member;
    for (const [k, c] of this.children) s.children.set(k, c.clone());
    return s;
  }

  union(o: FieldSet): FieldSet {
    const s = this.clone();
    s.addAll(o);
    return s;
  }

  private addAll(o: FieldSet): void {
    this.member ||= o.member;
    for (const [k, c] of o.children) {
      let mine = this.children.get(k);
      if (!mine) this.children.set(k, (mine = new FieldSet()));
      mine.addAll(c);
    }
  }

  /**
   * Members of this set that are not members of `o` (exact paths, not subtrees). This set
   * itself when they share no member (sets are not changed once built, so sharing is safe).
   */
  difference(o: FieldSet | undefined): FieldSet {
    if (!o || !this.overlaps(o)) return this;
    return this.combine(o, (a, b) => a && !b);
  }

  /** Whether every member of `o` is a member of this set (o ⊆ this). */
  covers(o: FieldSet): boolean {
    if (o.member && !this.member) return false;
    for (const [k, c] of o.children) {
      const mine = this.children.get(k);
      if (mine ? !mine.covers(c) : !c.empty()) return false;
    }
    return true;
  }

  /** Whether some path is a member of both sets. */
  overlaps(o: FieldSet): boolean {
    if (this.member && o.member) return true;
    const [small, big] = this.children.size <= o.children.size ? [this.children, o.children] : [o.children, this.children];
    for (const [k, c] of small) {
      const d = big.get(k);
      if (d && c.overlaps(d)) return true;
    }
    return false;
  }

  intersection(o: FieldSet | undefined): FieldSet {
    return this.combine(o, (a, b) => a && b);
  }

  private combine(o: FieldSet | undefined, keep: (a: boolean, b: boolean) => boolean): FieldSet {
    const s = new FieldSet();
    s.member = keep(this.member, Boolean(o?.member));
    for (const [k, c] of this.children) {
      const r = c.combine(o?.children.get(k), keep);
      if (!r.empty()) s.children.set(k, r);
    }
    return s;
  }

  /** This set without every path at or below a member of `o` (fieldpath's RecursiveDifference). */
  recursiveDifference(o: FieldSet): FieldSet {
    const s = new FieldSet();
    if (o.member) return s;
    s.member = this.member;
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      const r = oc ? c.recursiveDifference(oc) : c; // shared, as difference() shares (sets are not changed once built)
      if (!r.empty()) s.children.set(k, r);
    }
    return s;
  }

  /** Only the paths at or below `prefix` (a prefix of one element, e.g. "f:status"). */
  only(pe: string): FieldSet {
    const s = new FieldSet();
    const c = this.children.get(pe);
    if (c) s.children.set(pe, c); // shared (see difference)
    return s;
  }

  /** Every member path, members of a node before its children's, children in FieldsV1 order. */
  paths(prefix: string[] = [], out: string[][] = []): string[][] {
    if (this.member && prefix.length) out.push(prefix);
    for (const k of sortedKeys(this.children)) this.children.get(k)!.paths([...prefix, k], out);
    return out;
  }

  /** The FieldsV1 object: a member with children gets a "." entry. */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const n = this.children.size;
    if (n === 0) return out;
    if (this.member) out['.'] = {};
    // One child (most nodes): nothing to sort.
    if (n === 1) for (const [k, c] of this.children) out[k] = c.toFieldsV1();
    else for (const k of sortedKeys(this.children)) out[k] = this.children.get(k)!.toFieldsV1();
    return out;
  }

  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return s;
    for (const [k, c] of Object.entries(v)) {
      if (k === '.') {
        s.member = true;
        continue;
      }
      const child = FieldSet.fromFieldsV1(c);
      if (!child.children.size) child.member = true;
      s.children.set(k, child);
    }
    return s;
  }
}

const KIND_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** fieldpath's element order: field names, then keys, then values, then indices. */
function sortedKeys(m: Map<string, unknown>): string[] {
  return [...m.keys()].sort((a, b) => {
    const ka = KIND_ORDER[a[0]] ?? 9;
    const kb = KIND_ORDER[b[0]] ?? 9;
    if (ka !== kb) return ka - kb;
    if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** Go's %q for the strings fieldpath prints. */
function quote(s: string): string {
  return JSON.stringify(s);
}

function valueString(v: unknown): string {
  if (typeof v === 'string') return quote(v);
  if (v === null) return 'null';
  if (typeof v === 'object') return stringifyJson(v);
  return String(v);
}

/** fieldpath.Path.String(): `.spec.containers[name="app"].image`. */
export function pathString(path: readonly string[]): string {
  let s = '';
  for (const pe of path) {
    const body = pe.slice(2);
    switch (pe[0]) {
      case 'f':
        s += '.' + body;
        break;
      case 'k': {
        const keys = parseJson(body) as Record<string, unknown>;
        s += '[' + Object.keys(keys).sort().map((k) => `${k}=${valueString(keys[k])}`).join(',') + ']';
        break;
      }
      case 'v':
        s += '[=' + valueString(parseJson(body)) + ']';
        break;
      default:
        s += '[' + body + ']';
    }
  }
  return s;
}
