// A linear pre-scan bounding how deeply a YAML/JSON text nests (flow brackets plus block
// indentation levels), so a hostile input gets one clear error quickly instead of a stack
// overflow deep inside the parser ("Maximum call stack size exceeded") after seconds.
// Approximate on purpose (it never parses): real manifests nest a few dozen levels.

export const MAX_NESTING_DEPTH = 500;

/** The offset at which `text` nests deeper than `limit`, or undefined. */
export function nestingTooDeepAt(text: string, limit = MAX_NESTING_DEPTH): number | undefined {
  const indents: number[] = []; // open block levels, by their indentation
  let flow = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    // Start of a line: block structure (only outside flow collections).
    let col = 0;
    while (i < n && text.charCodeAt(i) === 32) {
      i++;
      col++;
    }
    const c0 = text.charCodeAt(i);
    if (flow === 0 && i < n && c0 !== 10 && c0 !== 13 && c0 !== 35 /* # */) {
      while (indents.length && indents[indents.length - 1] >= col) indents.pop();
      indents.push(col);
      // "- - - x": each dash opens a level of its own.
      while (text.charCodeAt(i) === 45 && text.charCodeAt(i + 1) === 32) {
        i += 2;
        col += 2;
        indents.push(col);
      }
      if (indents.length + flow > limit) return i;
    }
    // The rest of the line: flow brackets outside quotes and comments.
    let prev = 32;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        i++;
        break;
      }
      if (c === 35 && (prev === 32 || prev === 9)) {
        while (i < n && text.charCodeAt(i) !== 10) i++;
        continue;
      }
      if ((c === 34 || c === 39) && (prev === 32 || prev === 58 || prev === 91 || prev === 123 || prev === 44 || prev === 9)) {
        // A quoted scalar: skip to its end (may span lines; "" and '' escapes).
        const q = c;
        i++;
        while (i < n) {
          const d = text.charCodeAt(i);
          if (q === 34 && d === 92) i += 2;
          else if (d === q) {
            if (q === 39 && text.charCodeAt(i + 1) === 39) i += 2;
            else break;
          } else i++;
        }
        i++;
        prev = q;
        continue;
      }
      if (c === 91 || c === 123) {
        flow++;
        if (indents.length + flow > limit) return i;
      } else if ((c === 93 || c === 125) && flow > 0) flow--;
      prev = c;
      i++;
    }
  }
  return undefined;
}
