// Column definitions of a server-side table (metav1.TableColumnDefinition, reduced).
import type { KObject } from '../../api/types';

export interface Column {
  name: string;
  /** 1 = shown only with `-o wide`. */
  priority: 0 | 1;
  /** The column holding the object name (Format "name"): gets the kind/ prefix in multi-type gets. */
  isName?: boolean;
}

export interface KindTable {
  columns: Column[];
  /** One cell per column (wide ones included); nil cells are ''. */
  cells(obj: KObject, now: number, wide?: boolean): string[];
}

export const col = (name: string, priority: 0 | 1 = 0): Column => ({ name, priority });
export const nameCol: Column = { name: 'Name', priority: 0, isName: true };
