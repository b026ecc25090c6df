// Column definitions of a server-side table (metav1.TableColumnDefinition).
import type { KObject } from '../../api/types';
import { doc } from './docs';

export interface Column {
  name: string;
  /** 1 = shown only with `-o wide`. */
  priority: 0 | 1;
  /** The column holding the object name (Format "name"): gets the kind/ prefix in multi-type gets. */
  isName?: boolean;
  /** The definition's format beside "name" (a CRD column's). */
  format?: string;
  /** The definition's type: "string" unless kube's printer says otherwise. */
  type?: string;
  /** The definition's description, as kube-apiserver's printer fills it. */
  description?: string;
  /**
   * A cell kube's printer fills with an int64, float64 or bool (a JSON number or boolean in
   * the Table), whatever the column's type says; 'date' a custom resource's age. Empty: nil.
   */
  cell?: 'integer' | 'number' | 'boolean' | 'date';
}

export interface KindTable {
  columns: Column[];
  /**
   * One cell per column (wide ones included). A typed column's '' is nil; null is nil in any
   * column (a CRD string column that found no value: kube sends null, kubectl prints nothing).
   */
  cells(obj: KObject, now: number, wide?: boolean): (string | null)[];
}

export const col = (name: string, description: string, o: { priority?: 0 | 1; type?: string; cell?: Column['cell'] } = {}): Column => ({
  name,
  priority: o.priority ?? 0,
  description,
  ...(o.type ? { type: o.type } : {}),
  ...(o.cell ? { cell: o.cell } : {}),
});

/** ObjectMeta's docs, which every printer gives its Name and Age columns. */
export const NAME_DOC = doc('meta/v1', 'ObjectMeta', 'name');
export const AGE_DOC = doc('meta/v1', 'ObjectMeta', 'creationTimestamp');
export const nameCol: Column = { name: 'Name', priority: 0, isName: true, description: NAME_DOC };
export const ageCol = col('Age', AGE_DOC);
