// Word wrapping exactly as github.com/mitchellh/go-wordwrap's WrapString (v1.0.1), which
// kubectl's explain templates use: breaks only at white space, keeps existing line breaks,
// lets a word longer than the limit overflow, and measures in UTF-8 bytes like Go's buffers.

const byteLen = (s: string): number => Buffer.byteLength(s, 'utf8');
const isSpace = (c: string): boolean => /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/.test(c);

export function wrapString(s: string, lim: number): string {
  let out = '';
  let current = 0;
  let word = '';
  let space = '';
  for (const ch of s) {
    if (ch === '\n') {
      if (word.length === 0) {
        if (current + byteLen(space) > lim) current = 0;
        else {
          current += byteLen(space);
          out += space;
        }
        space = '';
      } else {
        current += byteLen(space) + byteLen(word);
        out += space + word;
        space = '';
        word = '';
      }
      out += ch;
      current = 0;
    } else if (isSpace(ch)) {
      if (space.length === 0 || word.length > 0) {
        current += byteLen(space) + byteLen(word);
        out += space + word;
        space = '';
        word = '';
      }
      space += ch;
    } else {
      word += ch;
      if (current + byteLen(space) + byteLen(word) > lim && byteLen(word) < lim) {
        out += '\n';
        current = 0;
        space = '';
      }
    }
  }
  if (word.length === 0) {
    if (current + byteLen(space) <= lim) out += space;
  } else {
    out += space + word;
  }
  return out;
}

/** sprig-style indent: pads the first line and every line after a newline (even empty ones). */
export function indent(amount: number, s: string): string {
  const pad = ' '.repeat(amount);
  return pad + s.split('\n').join('\n' + pad);
}
