// What a test keeps in the heap, measured after full garbage collections (V8's --expose-gc set
// at run time; gc() taken from a fresh context, where the flag makes it appear).

import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How much the heap (after full GCs) grows while `keep`'s result for each of `inputs` is kept. */
export function heapGrowth<T>(inputs: T[], keep: (input: T) => unknown): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heap = () => {
    gc();
    gc();
    return v8.getHeapStatistics().used_heap_size;
  };
  const kept = new Array<unknown>(inputs.length);
  const before = heap();
  for (let i = 0; i < inputs.length; i++) kept[i] = keep(inputs[i]);
  const grown = heap() - before;
  assert.equal(kept.length, inputs.length);
  return grown;
}
