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
// A block level's column is a line's leading spaces S, then 2 per `- ` after them (D of
// them): with no run of 125 spaces and none of 63 `- `, S ≤ 124 and 2·D ≤ 124, so every
// column is below DEEP_COLUMNS and the block levels open at once (distinct columns) number
// at most DEEP_COLUMNS. Two native substring searches: a multi-line regular expression for
// such a line start (`^[ -]{250}`) tried every offset (≈ 14 ms for the corpus's 6 MB, round 87).
const DEEP_COLUMNS = 250;
const DEEP_SPACES = ' '.repeat(125);
const DEEP_DASHES = '- '.repeat(63);

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
  return scanNesting(text, limit);
}

/** nestingTooDeepAt's scan itself, without the bound that spares most texts it (tests compare the two). */
export function scanNesting(text: string, limit: number): number | undefined {
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
 * run cold): the open block levels have distinct columns, at most DEEP_COLUMNS of them
 * without a deep line (above); the flow levels are at most the text's `[` and `{`, and when
 * those are too many, at most what flowWithin counts.
 */
function shallowBound(text: string, limit: number): boolean {
  const flowLimit = limit - DEEP_COLUMNS;
  if (flowLimit < 0 || text.includes(DEEP_SPACES) || text.includes(DEEP_DASHES)) return false;
  let budget = flowLimit;
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) if (--budget < 0) return flowWithin(text, flowLimit);
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) if (--budget < 0) return flowWithin(text, flowLimit);
  return true;
}

// The scan's flow brackets, quotes and comments without its line breaks (block levels are
// bounded apart, shallowBound): a search per such character, not two per line.
const FLOW_SIGNIFICANT = /[#"'[\]{}]/g;

/**
 * Whether the flow levels nestingTooDeepAt counts stay within `limit` all through the text:
 * its rules for brackets, quotes and comments, where a character at a line's content start
 * (its `prev` counted as a space) follows a space, a line break or nothing. A few megabyte
 * CRDs and dashboards hold more brackets than shallowBound's count allows, nested a dozen
 * levels at most; this pass over them costs a fraction of the scan's (round 87).
 */
function flowWithin(text: string, limit: number): boolean {
  const n = text.length;
  let flow = 0;
  let i = 0;
  while (i < n) {
    i = searchFrom(FLOW_SIGNIFICANT, text, i);
    if (i < 0) return true;
    const c = text.charCodeAt(i);
    const prev = i === 0 ? 32 : text.charCodeAt(i - 1);
    const spaced = prev === 32 || prev === 9 || prev === 10;
    if (c === 35) {
      if (spaced) {
        const eol = text.indexOf('\n', i);
        if (eol < 0) return true;
        i = eol;
      } else i++;
      continue;
    }
    if (c === 34 || c === 39) {
      if (spaced || prev === 58 || prev === 91 || prev === 123 || prev === 44) {
        const end = QUOTE_END[c];
        i++;
        while (i < n) {
          i = searchFrom(end, text, i);
          if (i < 0) return true;
          if (text.charCodeAt(i) === 92) i += 2;
          else if (c === 39 && text.charCodeAt(i + 1) === 39) i += 2;
          else break;
        }
      }
      i++;
      continue;
    }
    if (c === 91 || c === 123) {
      if (++flow > limit) return false;
    } else if (flow > 0) flow--;
    i++;
  }
  return true;
}
