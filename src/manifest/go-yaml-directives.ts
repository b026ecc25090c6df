// The directives (`%YAML`, `%TAG`) before a stream's first document, read as go-yaml v2
// (sigs.k8s.io/yaml, what kubectl reads a kubeconfig with) reads them: its scanner's and
// parser's checks, in their order, with their messages. The `yaml` package accepts what
// go-yaml refuses here (a second %YAML, YAML 1.2, an unknown directive: a warning at most).

/** go-yaml's is_alpha: what a directive name and a tag handle are made of. */
const ALPHA = /[0-9A-Za-z_-]/;
/** The characters of a tag URI besides ALPHA and '%' (yaml_parser_scan_tag_uri). */
const URI_CHARS = new Set(";/?:@&=+$,.!~*'()[]");

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';
const isBlankz = (c: string | undefined): boolean => c === undefined || c === ' ' || c === '\t' || c === '\r' || c === '\n';

/** A scanner error's "line N: " counts from 1 and names no first line; a parser error's counts from 0. */
function goYamlError(line0: number, problem: string, scanner: boolean): string {
  const line = scanner && line0 !== 0 ? line0 + 1 : line0;
  return `yaml: ${line !== 0 ? `line ${line}: ` : ''}${problem}`;
}

type Scanned = { kind: 'yaml'; major: number; minor: number } | { kind: 'tag'; handle: string } | { error: string };

/** yaml_parser_scan_directive on one line (without its line break): the token, or the scanner's problem. */
function scanDirective(s: string): Scanned {
  let i = 1; // past '%'
  const name0 = i;
  while (i < s.length && ALPHA.test(s[i])) i++;
  const name = s.slice(name0, i);
  if (name === '') return { error: 'could not find expected directive name' };
  if (!isBlankz(s[i])) return { error: 'found unexpected non-alphabetical character' };
  let token: Scanned;
  if (name === 'YAML') {
    while (isBlank(s[i])) i++;
    const version: number[] = [];
    for (const part of [0, 1]) {
      let digits = 0;
      let value = 0;
      for (; i < s.length && s[i] >= '0' && s[i] <= '9'; i++) {
        if (++digits > 2) return { error: 'found extremely long version number' };
        value = value * 10 + Number(s[i]);
      }
      if (digits === 0) return { error: 'did not find expected version number' };
      version.push(value);
      if (part === 0) {
        if (s[i] !== '.') return { error: "did not find expected digit or '.' character" };
        i++;
      }
    }
    token = { kind: 'yaml', major: version[0], minor: version[1] };
  } else if (name === 'TAG') {
    while (isBlank(s[i])) i++;
    // The handle: '!', letters, then '!' (a bare '!' alone is the primary handle).
    if (s[i] !== '!') return { error: "did not find expected '!'" };
    const h0 = i++;
    while (i < s.length && ALPHA.test(s[i])) i++;
    if (s[i] === '!') i++;
    else if (i - h0 !== 1) return { error: "did not find expected '!'" };
    const handle = s.slice(h0, i);
    if (!isBlank(s[i])) return { error: 'did not find expected whitespace' };
    while (isBlank(s[i])) i++;
    const uri0 = i;
    for (; i < s.length; i++) {
      const c = s[i];
      if (c === '%') {
        if (!/^%[0-9A-Fa-f]{2}$/.test(s.slice(i, i + 3))) return { error: 'did not find URI escaped octet' };
        i += 2;
      } else if (!ALPHA.test(c) && !URI_CHARS.has(c)) break;
    }
    if (i === uri0) return { error: 'did not find expected tag URI' };
    if (!isBlankz(s[i])) return { error: 'did not find expected whitespace or line break' };
    token = { kind: 'tag', handle };
  } else {
    return { error: 'found unknown directive name' };
  }
  // The rest of the line: blanks, then a comment or nothing.
  while (isBlank(s[i])) i++;
  if (i < s.length && s[i] !== '#' && s[i] !== '\r') return { error: 'did not find expected comment or line break' };
  return token;
}

/**
 * go-yaml's error for the directives that open `text` (kubectl's "yaml: line 1: found
 * duplicate %YAML directive"), or undefined when there are none or they are good (then a
 * `---` follows them). Reads only the lines up to the first that is not a directive,
 * blank or a comment.
 */
export function goYamlDirectiveError(text: string): string | undefined {
  let directives = false;
  let version = false;
  const handles = new Set<string>();
  let line0 = 0;
  for (let at = text.charCodeAt(0) === 0xfeff ? 1 : 0; ; line0++) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(at, end);
    if (line.startsWith('%')) {
      directives = true;
      const t = scanDirective(line);
      if ('error' in t) return goYamlError(line0, t.error, true);
      // yaml_parser_process_directives, token by token as the scanner hands them over
      if (t.kind === 'yaml') {
        if (version) return goYamlError(line0, 'found duplicate %YAML directive', false);
        if (t.major !== 1 || t.minor !== 1) return goYamlError(line0, 'found incompatible YAML document', false);
        version = true;
      } else {
        if (handles.has(t.handle)) return goYamlError(line0, 'found duplicate %TAG directive', false);
        handles.add(t.handle);
      }
    } else if (!/^ *(?:#.*)?\r?$/.test(line)) {
      // The first token after them: an explicit document's start, or the parser's error.
      if (directives && !(line.startsWith('---') && isBlankz(line[3]))) return goYamlError(line0, 'did not find expected <document start>', false);
      return undefined;
    }
    if (nl < 0) {
      // Directives and then the end of the stream: the scanner ends an unfinished last line first.
      return directives ? goYamlError(line === '' ? line0 : line0 + 1, 'did not find expected <document start>', false) : undefined;
    }
    at = nl + 1;
  }
  return undefined;
}
