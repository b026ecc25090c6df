// Binary search over anything sorted: the store's key indexes, lists in key order.

/** The first index in [0, n) for which `below(i)` is false (`below` true for a prefix of the range, false after). */
export function lowerBound(n: number, below: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (below(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
