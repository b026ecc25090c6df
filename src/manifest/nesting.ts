// A linear pre-scan bounding how deeply a YAML/JSON text nests (flow brackets plus block
// indentation levels), so a hostile input gets one clear error quickly instead of a stack
// overflow deep inside the parser ("Maximum call stack size exceeded") after seconds.
// Approximate on purpose (it never parses): real manifests nest a few dozen levels.

export const MAX_NESTING_DEPTH = 500;

// Regular-expression searches jump over the characters the scan ignores (indentation, and
// everything but line breaks, comments, quotes and brackets): V8 runs them as native code,
// where a charCodeAt loop visited every character (~12 % of `validate` on megabyte CRDs).
const NOT_SPACE = /[^ ]/g;
const SIGNIFICANT = /[\n#"'[\]{}]/g;
const QUOTE_END = { 34: /["\\]/g, 39: /'/g } as Record<number, RegExp>;
// A line starting with this many spaces or dashes (the only characters a block level's column
// counts): without one, the block levels open at once number fewer (see nestingTooDeepAt).
const DEEP_PREFIX_COLUMNS = 250;
const DEEP_PREFIX = new RegExp(`^[ -]{${DEEP_PREFIX_COLUMNS}}`, 'm');

/** Index of the first match of `re` (global, one character long) at or after `from`; -1 if none. */
function searchFrom(re: RegExp, text: string, from: number): number {
  re.lastIndex = from;
  return re.test(text) ? re.lastIndex - 1 : -1;
}

/** The offset at which `text` nests deeper than `limit`, or undefined. */
export function nestingTooDeepAt(text: string, limit = MAX_NESTING_DEPTH): number | undefined {
  // Every level opened takes at least one character (a line's content, a `- `, a bracket).
  if (text.length <= limit) return undefined;
  if (shallowBound(text, limit)) return undefined;
  const indents: number[] = []; // open block levels, by their indentation
  let flow = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    // Start of a line: block structure (only outside flow collections).
    const lineStart = i;
    const content = searchFrom(NOT_SPACE, text, i);
    i = content < 0 ? n : content;
    let col = i - lineStart;
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
    // The rest of the line: flow brackets outside quotes and comments. `prev`, the character
    // before the one found, counts as a space at the line's first content character.
    const contentStart = i;
    while (i < n) {
      i = searchFrom(SIGNIFICANT, text, i);
      if (i < 0) {
        i = n;
        break;
      }
      const c = text.charCodeAt(i);
      if (c === 10) {
        i++;
        break;
      }
      const prev = i === contentStart ? 32 : text.charCodeAt(i - 1);
      if (c === 35) {
        if (prev === 32 || prev === 9) {
          const eol = text.indexOf('\n', i);
          i = eol < 0 ? n : eol;
        } else i++;
        continue;
      }
      if (c === 34 || c === 39) {
        if (prev === 32 || prev === 58 || prev === 91 || prev === 123 || prev === 44 || prev === 9) {
          // A quoted scalar: skip to its end (may span lines; "" and '' escapes).
          const end = QUOTE_END[c];
          i++;
          while (i < n) {
            i = searchFrom(end, text, i);
            if (i < 0) {
              i = n;
              break;
            }
            if (text.charCodeAt(i) === 92) i += 2;
            else if (c === 39 && text.charCodeAt(i + 1) === 39) i += 2;
            else break;
          }
          i++;
          // The next character's `prev` is the closing quote, text[i - 1] (as before).
          if (i >= n) break;
        } else i++;
        continue;
      }
      if (c === 91 || c === 123) {
        flow++;
        if (indents.length + flow > limit) return i;
      } else if ((c === 93 || c === 125) && flow > 0) flow--;
      i++;
    }
  }
  return undefined;
}

/**
 * A bound that clears most texts without the scan (it was ~5 % of `validate` of the corpus,
 * run cold): the open block levels have distinct columns (each a line's count of leading
 * spaces and `- `), so with no line starting with DEEP_PREFIX_COLUMNS spaces or dashes they
 * number at most that many; the flow levels are at most the text's `[` and `{`.
 */
function shallowBound(text: string, limit: number): boolean {
  let budget = limit - DEEP_PREFIX_COLUMNS;
  if (budget < 0) return false;
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) if (--budget < 0) return false;
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) if (--budget < 0) return false;
  return !DEEP_PREFIX.test(text);
}
