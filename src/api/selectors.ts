// Label and field selectors as the API server parses and applies them
// (k8s.io/apimachinery/pkg/labels/selector.go, pkg/fields/selector.go, and the per-kind field
// label conversions). Parse errors throw a plain Error whose message is the server's text; the
// caller wraps it in `Unable to find ... that match label selector ...`.
import { goQuote, goStringSlice } from '../util/go-format';
import { INT64_MAX, INT64_MIN } from '../util/exact-json';
import { isQualifiedName, isValidLabelValue } from './validation/string-rules';

// ---------------------------------------------------------------------------------------
// Label selectors

export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** Sorted, de-duplicated (a Go sets.String). Empty for exists / !. */
  values: string[];
}

/** Requirements are ANDed; an empty list matches everything. */
export interface LabelSelector {
  requirements: LabelRequirement[];
  /** Set for a nil LabelSelector spec: matches nothing. */
  nothing?: boolean;
}

type Tok = 'err' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

const SYMBOLS: Record<string, Tok> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', '<': '<', '!=': '!=', '(': '(' };
const KEYWORDS: Record<string, Tok> = { in: 'in', notin: 'notin' };

function isWhitespace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}
function isSpecial(c: string): boolean {
  return '=!(),><'.includes(c);
}

interface Item {
  tok: Tok;
  lit: string;
}

function lex(s: string): Item[] {
  const out: Item[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && isWhitespace(s[i])) i++;
    if (i >= s.length) {
      out.push({ tok: 'eos', lit: '' });
      return out;
    }
    if (isSpecial(s[i])) {
      let buf = '';
      let last: Item | undefined;
      while (i < s.length && isSpecial(s[i])) {
        buf += s[i];
        if (SYMBOLS[buf]) {
          last = { tok: SYMBOLS[buf], lit: buf };
          i++;
        } else if (last) {
          break;
        } else {
          i++;
        }
      }
      out.push(last ?? { tok: 'err', lit: `error expected: keyword found '${buf}'` });
      continue;
    }
    let id = '';
    while (i < s.length && !isWhitespace(s[i]) && !isSpecial(s[i])) id += s[i++];
    out.push({ tok: KEYWORDS[id] ?? 'id', lit: id });
  }
}

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

function isInt64(s: string): boolean {
  if (!/^[+-]?\d+$/.test(s)) return false;
  const n = BigInt(s);
  return n >= INT64_MIN && n <= INT64_MAX;
}

/** NewRequirement's validation; returns the aggregated error text or undefined. */
function requirementError(key: string, op: LabelOperator, values: string[]): string | undefined {
  const errs: string[] = [];
  const kerr = isQualifiedName(key);
  if (kerr.length) errs.push(`key: Invalid value: ${goQuote(key)}: ${kerr.join('; ')}`);
  if (op === 'gt' || op === 'lt') {
    values.forEach((v, i) => {
      if (!isInt64(v)) errs.push(`values[${i}]: Invalid value: ${goQuote(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
    });
  }
  values.forEach((v, i) => {
    const verr = isValidLabelValue(v);
    if (verr.length) errs.push(`values[${i}][${key}]: Invalid value: ${goQuote(v)}: ${verr.join('; ')}`);
  });
  if (errs.length === 0) return undefined;
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  /** In a "values" context the keywords in/notin are plain identifiers. */
  lookahead(values: boolean): Item {
    const it = this.items[this.pos];
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }
  consume(values: boolean): Item {
    const it = this.lookahead(values);
    if (this.pos < this.items.length - 1) this.pos++;
    return it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      if (tok === 'id' || tok === '!') {
        try {
          reqs.push(this.parseRequirement());
        } catch (e) {
          throw new Error(`unable to parse requirement: ${(e as Error).message}`);
        }
        const t = this.consume(true);
        if (t.tok === 'eos') return reqs;
        if (t.tok === ',') {
          const t2 = this.lookahead(true);
          if (t2.tok !== 'id' && t2.tok !== '!') throw new Error(`found '${t2.lit}', expected: identifier after ','`);
          continue;
        }
        throw new Error(`found '${t.lit}', expected: ',' or 'end of string'`);
      }
      if (tok === 'eos') return reqs;
      throw new Error(`found '${lit}', expected: !, identifier, or 'end of string'`);
    }
  }

  private parseRequirement(): LabelRequirement {
    let negate = false;
    let t = this.consume(true);
    if (t.tok === '!') {
      negate = true;
      t = this.consume(true);
    }
    if (t.tok !== 'id') throw new Error(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const kerr = isQualifiedName(key);
    if (kerr.length) throw new Error(`key: Invalid value: ${goQuote(key)}: ${kerr.join('; ')}`);
    const next = this.lookahead(true).tok;
    if (negate || next === 'eos' || next === ',') {
      const op: LabelOperator = negate ? '!' : 'exists';
      return { key, operator: op, values: [] };
    }
    const opTok = this.consume(false);
    const opMap: Partial<Record<Tok, LabelOperator>> = { in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt' };
    const op = opMap[opTok.tok];
    if (!op) throw new Error(`found '${opTok.lit}', expected: ${BINARY_OPERATORS}`);
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    const sorted = [...new Set(values)].sort();
    const err = requirementError(key, op, sorted);
    if (err) throw new Error(err);
    return { key, operator: op, values: sorted };
  }

  private parseValues(): string[] {
    const t = this.consume(true);
    if (t.tok !== '(') throw new Error(`found '${t.lit}' expected: '('`);
    const la = this.lookahead(true);
    if (la.tok === 'id' || la.tok === ',') {
      const s = this.parseIdentifiersList();
      if (this.consume(true).tok !== ')') throw new Error(`found '${la.lit}', expected: ')'`);
      return s;
    }
    if (la.tok === ')') {
      this.consume(true);
      return [''];
    }
    throw new Error(`found '${la.lit}', expected: ',', ')' or identifier`);
  }

  private parseIdentifiersList(): string[] {
    const s = new Set<string>();
    for (;;) {
      const t = this.consume(true);
      if (t.tok === 'id') {
        s.add(t.lit);
        const t2 = this.lookahead(true);
        if (t2.tok === ',') continue;
        if (t2.tok === ')') return [...s];
        throw new Error(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (t.tok === ',') {
        if (s.size === 0) s.add('');
        const t2 = this.lookahead(true);
        if (t2.tok === ')') {
          s.add('');
          return [...s];
        }
        if (t2.tok === ',') {
          this.consume(true);
          s.add('');
        }
      } else {
        throw new Error(`found '${t.lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): string[] {
    const la = this.lookahead(true);
    if (la.tok === 'eos' || la.tok === ',') return [''];
    const t = this.consume(true);
    if (t.tok === 'id') return [t.lit];
    throw new Error(`found '${t.lit}', expected: identifier`);
  }
}

function sortByKey(reqs: LabelRequirement[]): LabelRequirement[] {
  return reqs.map((r, i) => ({ r, i })).sort((a, b) => (a.r.key < b.r.key ? -1 : a.r.key > b.r.key ? 1 : a.i - b.i)).map((x) => x.r);
}

/** Parse a `-l` selector string. Throws Error with the server's message on bad input. */
export function parseLabelSelector(s: string): LabelSelector {
  return { requirements: sortByKey(new Parser(lex(s)).parse()) };
}

function parseIntStrict(s: string): bigint | undefined {
  return isInt64(s) ? BigInt(s) : undefined;
}

export function matchesRequirement(r: LabelRequirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels![r.key] : '';
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(v);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(v);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const lv = parseIntStrict(v);
      const rv = parseIntStrict(r.values[0]);
      if (lv === undefined || rv === undefined) return false;
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
  }
}

export function matchesLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  if (sel.nothing) return false;
  return sel.requirements.every((r) => matchesRequirement(r, labels));
}

export function requirementToString(r: LabelRequirement): string {
  const vals = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
      return `${r.key} in (${vals})`;
    case 'notin':
      return `${r.key} notin (${vals})`;
    case 'gt':
      return `${r.key}>${vals}`;
    case 'lt':
      return `${r.key}<${vals}`;
    default:
      return `${r.key}${r.operator}${vals}`;
  }
}

/** labels.Selector.String(): requirements sorted by key, comma-joined ("" for everything). */
export function labelSelectorString(sel: LabelSelector): string {
  return sel.requirements.map(requirementToString).join(',');
}

export interface LabelSelectorSpec {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}

/**
 * metav1.LabelSelectorAsSelector: a nil spec selects nothing, an empty one everything.
 * Throws Error on an unknown operator or invalid key/values.
 */
export function fromLabelSelectorSpec(spec: LabelSelectorSpec | null | undefined): LabelSelector {
  if (spec === null || spec === undefined) return { requirements: [], nothing: true };
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(spec.matchLabels ?? {})) {
    const err = requirementError(k, '=', [v]);
    if (err) throw new Error(err);
    reqs.push({ key: k, operator: '=', values: [v] });
  }
  const ops: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };
  for (const e of spec.matchExpressions ?? []) {
    const op = ops[e.operator];
    if (!op) throw new Error(`${goQuote(e.operator)} is not a valid label selector operator`);
    const values = op === 'exists' || op === '!' ? [] : [...new Set(e.values ?? [])].sort();
    if ((op === 'in' || op === 'notin') && values.length === 0) {
      throw new Error(`values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty`);
    }
    if ((op === 'exists' || op === '!') && (e.values ?? []).length > 0) {
      throw new Error(`values: Invalid value: ${goStringSlice(e.values ?? [])}: values set must be empty for exists and does not exist`);
    }
    const err = requirementError(e.key, op, values);
    if (err) throw new Error(err);
    reqs.push({ key: e.key, operator: op, values });
  }
  return { requirements: sortByKey(reqs) };
}

/** How kubectl prints a LabelSelector spec (`app=web,tier in (a,b)`); "" when it selects everything. */
export function selectorToString(spec: LabelSelectorSpec | null | undefined): string {
  if (spec === null || spec === undefined) return '';
  return labelSelectorString(fromLabelSelectorSpec(spec));
}

/** A label map as a selector string, keys sorted: `a=1,b=2` ("" when empty). */
export function labelsToSelectorString(labels: Record<string, string> | null | undefined): string {
  return Object.keys(labels ?? {})
    .sort()
    .map((k) => `${k}=${labels![k]}`)
    .join(',');
}

/**
 * metav1.LabelSelectorAsSelector, then Matches: a nil spec selects nothing, `{}` everything,
 * and an invalid spec (unknown operator, bad key or value) nothing.
 */
export function labelSelectorMatches(spec: LabelSelectorSpec | null | undefined, labels: Record<string, string> | undefined): boolean {
  try {
    return matchesLabels(fromLabelSelectorSpec(spec), labels ?? {});
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Node selectors (k8s.io/component-helpers/scheduling/corev1/nodeaffinity): nodeSelector,
// required node affinity and its preferred terms, for the scheduler and the DaemonSet
// controller alike.

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[] | null;
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[] | null;
  matchFields?: NodeSelectorRequirement[] | null;
}

interface NodeLike {
  metadata: { name?: string; labels?: Record<string, string> };
}

const NODE_LABEL_OPS: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!', Gt: 'gt', Lt: 'lt' };

/** nodeSelectorRequirementsAsSelector: undefined when a requirement fails labels.NewRequirement. */
function nodeLabelRequirements(exprs: NodeSelectorRequirement[]): LabelRequirement[] | undefined {
  const out: LabelRequirement[] = [];
  for (const e of exprs) {
    const op = NODE_LABEL_OPS[e.operator];
    const values = e.values ?? [];
    if (!op) return undefined;
    if ((op === 'in' || op === 'notin') && values.length === 0) return undefined;
    if ((op === 'exists' || op === '!') && values.length !== 0) return undefined;
    if ((op === 'gt' || op === 'lt') && values.length !== 1) return undefined;
    if (requirementError(e.key, op, values) !== undefined) return undefined;
    out.push({ key: e.key, operator: op, values: [...new Set(values)].sort() });
  }
  return out;
}

/** nodeSelectorRequirementsAsFieldSelector: In / NotIn with exactly one value; undefined otherwise. */
function nodeFieldMatchers(exprs: NodeSelectorRequirement[]): ((fields: Record<string, string>) => boolean)[] | undefined {
  const out: ((fields: Record<string, string>) => boolean)[] = [];
  for (const e of exprs) {
    const values = e.values ?? [];
    if ((e.operator !== 'In' && e.operator !== 'NotIn') || values.length !== 1) return undefined;
    // A fields.Set lookup of an absent key reads "".
    out.push(e.operator === 'In' ? (f) => (f[e.key] ?? '') === values[0] : (f) => (f[e.key] ?? '') !== values[0]);
  }
  return out;
}

/**
 * One NodeSelectorTerm: all its matchExpressions (node labels) and matchFields (only
 * metadata.name exists) hold. An empty term, or one that does not parse, matches nothing;
 * Gt and Lt compare label and value as int64 and fail when either is not one.
 */
export function matchesNodeSelectorTerm(term: NodeSelectorTerm | null | undefined, node: NodeLike): boolean {
  const exprs = term?.matchExpressions ?? [];
  const fieldExprs = term?.matchFields ?? [];
  if (exprs.length === 0 && fieldExprs.length === 0) return false;
  const reqs = nodeLabelRequirements(exprs);
  const fieldMatchers = nodeFieldMatchers(fieldExprs);
  if (!reqs || !fieldMatchers) return false;
  const labels = node.metadata.labels ?? {};
  if (!reqs.every((r) => matchesRequirement(r, labels))) return false;
  // extractNodeFields: a node without a name has no fields, and then matchFields is not checked.
  const fields: Record<string, string> = node.metadata.name ? { 'metadata.name': node.metadata.name } : {};
  return Object.keys(fields).length === 0 || fieldMatchers.every((m) => m(fields));
}

/** A NodeSelector: its terms are ORed (none matches when there are none). */
export function matchesNodeSelectorTerms(terms: readonly (NodeSelectorTerm | null | undefined)[] | null | undefined, node: NodeLike): boolean {
  return (terms ?? []).some((t) => matchesNodeSelectorTerm(t, node));
}

interface PodSpecLike {
  nodeSelector?: Record<string, string> | null;
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] | null } | null } | null } | null;
}

/** GetRequiredNodeAffinity(pod).Match: spec.nodeSelector and the required node affinity both hold. */
export function podMatchesNodeSelection(spec: PodSpecLike | null | undefined, node: NodeLike): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !required || matchesNodeSelectorTerms(required.nodeSelectorTerms, node);
}

// ---------------------------------------------------------------------------------------
// Field selectors

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  requirements: FieldRequirement[];
  kind: string;
  group: string;
}

const DEFAULT_FIELDS = ['metadata.name', 'metadata.namespace'];

/** Extra selectable fields per `group/Kind` (kinds with their own field label conversion). */
const KIND_FIELDS: Record<string, string[]> = {
  '/Pod': [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.podIPs',
    'status.nominatedNodeName',
  ],
  '/Event': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  '/Secret': ['type'],
  '/Namespace': ['status.phase'],
  '/Node': ['spec.unschedulable'],
  '/ReplicationController': ['status.replicas'],
  'batch/Job': ['status.successful'],
};

/**
 * Kinds served from another kind's storage, whose field label conversion renames their labels
 * to the stored kind's (kube-apiserver's AddFieldLabelConversionFunc): events.k8s.io/v1's
 * (pkg/apis/events/v1/conversion.go), matched on the core Event it is stored as.
 */
const LABEL_CONVERSIONS: Record<string, Record<string, string>> = {
  'events.k8s.io/Event': {
    reason: 'reason',
    'regarding.kind': 'involvedObject.kind',
    'regarding.namespace': 'involvedObject.namespace',
    'regarding.name': 'involvedObject.name',
    'regarding.uid': 'involvedObject.uid',
    'regarding.apiVersion': 'involvedObject.apiVersion',
    'regarding.resourceVersion': 'involvedObject.resourceVersion',
    'regarding.fieldPath': 'involvedObject.fieldPath',
    reportingController: 'reportingComponent',
    source: 'source',
    type: 'type',
    'metadata.namespace': 'metadata.namespace',
    'metadata.name': 'metadata.name',
  },
};

function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[++i];
    } else if (c === ',') {
      terms.push(cur);
      cur = '';
    } else cur += c;
  }
  terms.push(cur);
  return terms;
}

function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

function unescapeValue(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      const n = s[i + 1];
      if (n === '\\' || n === ',' || n === '=') {
        out += n;
        i++;
        continue;
      }
      throw new Error(`invalid field selector: invalid escape sequence: \\${n ?? ''}`);
    }
    if (c === ',' || c === '=') throw new Error(`invalid field selector: unescaped character in value: ${c}`);
    out += c;
  }
  return out;
}

/**
 * Parse `--field-selector` for objects of `kind` in `group` ("" for core). Throws Error with
 * the server's message for bad syntax or an unsupported field.
 */
export function parseFieldSelector(kind: string, group: string, s: string): FieldSelector {
  const parts = splitTerms(s).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw new Error(`invalid selector: '${s}'; can't understand '${part}'`);
    reqs.push({ field: t.lhs, operator: t.op === '!=' ? '!=' : '=', value: unescapeValue(t.rhs) });
  }
  const conversion = LABEL_CONVERSIONS[`${group}/${kind}`];
  if (conversion) {
    for (const r of reqs) {
      if (!Object.hasOwn(conversion, r.field)) throw new Error(`field label not supported: ${r.field}`);
      r.field = conversion[r.field];
    }
    return { requirements: reqs, kind, group };
  }
  const extra = KIND_FIELDS[`${group}/${kind}`];
  for (const r of reqs) {
    if (DEFAULT_FIELDS.includes(r.field) || extra?.includes(r.field)) continue;
    if (extra) throw new Error(`field label not supported: ${r.field}`);
    throw new Error(`"${r.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
  }
  return { requirements: reqs, kind, group };
}

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

/** The value of a selectable field on an object, as the server's ToSelectableFields renders it. */
export function fieldValue(obj: any, field: string): string | string[] {
  const get = (path: string): unknown => path.split('.').reduce<any>((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
  switch (field) {
    case 'spec.hostNetwork':
      return obj?.spec?.hostNetwork ? 'true' : 'false';
    case 'spec.unschedulable':
      return obj?.spec?.unschedulable ? 'true' : 'false';
    case 'status.podIPs':
      return ((obj?.status?.podIPs ?? []) as { ip: string }[]).map((p) => p.ip);
    case 'source':
      // an event without a source (an events.k8s.io recorder's) is selected by its reportingController
      return str(obj?.source?.component || obj?.reportingComponent);
    case 'reportingComponent':
      return str(obj?.reportingComponent);
    case 'status.replicas':
    case 'status.successful':
      return str(get(field) ?? 0);
    default:
      return str(get(field));
  }
}

export function matchesFields(sel: FieldSelector, obj: unknown): boolean {
  return sel.requirements.every((r) => {
    const v = fieldValue(obj, r.field);
    const eq = Array.isArray(v) ? (v.length === 0 ? r.value === '' : v.includes(r.value)) : v === r.value;
    return r.operator === '=' ? eq : !eq;
  });
}

/** fields.Selector.String(): terms sorted, `=` and `!=`. */
export function fieldSelectorString(sel: FieldSelector): string {
  return sel.requirements.map((r) => `${r.field}${r.operator}${r.value.replace(/([\\,=])/g, '\\$1')}`).join(',');
}

/** The selector as Go's %v prints a *metav1.LabelSelector (its generated String(): the PDB controller's UnmanagedPods event, a binding's PARAMREF column). */
export function goSelector(sel: any): string {
  if (!sel) return 'nil';
  const labels = Object.keys(sel.matchLabels ?? {}).sort().map((k) => `${k}: ${sel.matchLabels[k]},`).join('');
  const exprs = (sel.matchExpressions ?? []).map((e: any) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}
