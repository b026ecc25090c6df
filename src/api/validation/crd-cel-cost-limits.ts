// The cost limits kube-apiserver 1.32 puts on a CRD's validation rules when the CRD is
// created or updated (apiextensions-apiserver pkg/apis/apiextensions/validation:
// validation.go StaticEstimatedCostLimit and StaticEstimatedCRDCostLimit, cel_validation.go
// CELSchemaContext): a rule's estimated cost (crd-cel-cost.ts) times the number of times its
// schema node can occur — the product of maxItems/maxProperties above it, or when one is
// unset, how many of its smallest values fit in a 3 MiB request — must stay within
// 10,000,000, and the rules of one schema within 100,000,000 together.
import type { FieldError } from '../errors';
import { MAX, estimateMaxCost, schemaDecl, unboundedCardinality } from './crd-cel-cost';
import { typedAst } from './crd-cel-types';
import { withKubeFunctions } from './crd-cel-lib';

type S = Record<string, any>;

const PER_EXPRESSION_LIMIT = 10_000_000n;
const PER_CRD_LIMIT = 100_000_000n;

/** getCostErrorMessage: the factor as Go's %f below 1.5, %.1f up to 100, else "more than 100x". */
export function costErrorMessage(costName: string, cost: bigint, limit: bigint): string {
  const f = Number(cost) / Number(limit);
  const factor = f > 100 ? 'more than 100x' : f < 1.5 ? `${f.toFixed(6)}x` : `${f.toFixed(1)}x`;
  return `${costName} exceeds budget by factor of ${factor} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}

/** extractMaxElements: how many of each child a node holds (undefined: no bound). */
function maxElements(s: S): bigint | undefined {
  const bound = (v: unknown) => (v == null ? undefined : BigInt(Math.max(0, Math.trunc(Number(v)))));
  if (s.type === 'object') return s.additionalProperties != null ? bound(s.maxProperties) : 1n;
  if (s.type === 'array') return bound(s.maxItems);
  return 1n;
}

/**
 * The MaxCardinality of each schema node reached through properties, items and
 * additionalProperties (undefined: unbounded). Nodes under allOf/anyOf/oneOf/not have no
 * CEL context in kube-apiserver (their rules are neither compiled nor costed there).
 */
export function cardinalities(root: S | undefined): Map<S, bigint | undefined> {
  const out = new Map<S, bigint | undefined>();
  const walk = (s: S | undefined, card: bigint | undefined) => {
    if (!s || typeof s !== 'object' || out.has(s)) return;
    out.set(s, card);
    const m = maxElements(s);
    const child = card === undefined || m === undefined ? undefined : card * m > MAX ? MAX : card * m;
    for (const p of Object.values(s.properties ?? {})) walk(p as S, child);
    if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) walk(s.items, child);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, child);
  };
  walk(root, 1n);
  return out;
}

/** TotalCost of one schema, and the per-expression check (off for a version whose schema an update left as it was). */
export class CostBudget {
  private total = 0n;
  private expensive: { field: string; cost: bigint }[] = [];
  constructor(
    private readonly cards: Map<S, bigint | undefined>,
    private readonly suppressPerExpression: boolean,
  ) {}

  /**
   * The cost of one expression (a rule or its messageExpression) at schema node `node`:
   * its Forbidden error when over the per-expression limit. An expression whose cost is
   * not known here is not counted.
   */
  expression(field: string, kind: 'rule' | 'messageExpression', src: string, node: S, resourceRoot: boolean, optionalOldSelf: boolean): FieldError | undefined {
    if (!this.cards.has(node)) return undefined;
    const decl = schemaDecl(node, resourceRoot);
    if (!decl) return undefined;
    const ast = typedAst(withKubeFunctions(src), node, resourceRoot, optionalOldSelf);
    const max = ast ? estimateMaxCost(ast, decl) : undefined;
    if (max === undefined) return undefined;
    const card = this.cards.get(node) ?? unboundedCardinality(decl);
    const cost = max === 0n ? 0n : max * card > MAX ? MAX : max * card;
    this.total = this.total + cost > MAX ? MAX : this.total + cost;
    if (cost >= PER_CRD_LIMIT / 100n) {
      this.expensive.push({ field, cost });
      this.expensive.sort((a, b) => (a.cost > b.cost ? -1 : a.cost < b.cost ? 1 : 0));
      this.expensive.length = Math.min(this.expensive.length, 4);
    }
    if (this.suppressPerExpression || cost <= PER_EXPRESSION_LIMIT) return undefined;
    return { field, type: 'Forbidden', detail: costErrorMessage(kind === 'rule' ? 'estimated rule cost' : 'estimated messageExpression cost', cost, PER_EXPRESSION_LIMIT) };
  }

  /** The schema's errors when its rules together exceed the per-CRD limit: the most expensive rules, then the total. */
  totalErrors(schemaField: string): FieldError[] {
    if (this.total <= PER_CRD_LIMIT) return [];
    return [
      ...this.expensive.map((e): FieldError => ({ field: e.field, type: 'Forbidden', detail: 'contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema' })),
      { field: schemaField, type: 'Forbidden', detail: costErrorMessage('x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema', this.total, PER_CRD_LIMIT) },
    ];
  }
}
