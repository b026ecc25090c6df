// The manifest reader's fast path must give exactly what the full YAML parse gives: same
// objects (key order included), document numbers, Helm sources, positions and errors.
// Checked on every corpus file, on hand-written edge cases, and on random mutations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifestText, parseManifestTextFull } from '../../src/manifest/parse-documents';
import { fastParse, fastPositions } from '../../src/manifest/fast-yaml';
import type { ParsedSource } from '../../src/manifest/parse-documents';
import { corpusFiles, readCorpus, rng, seedOf } from './corpus-util';
import { mutate } from './mutate';
import { requireCorpus } from '../corpus';

const MUTANTS = Number(process.env.KUBESIM_STRESS_MUTANTS ?? 600);

function snapshot(r: ParsedSource): string {
  return JSON.stringify({
    docs: r.docs.map((d) => ({
      source: d.source, docIndex: d.docIndex, listIndex: d.listIndex, helmSource: d.helmSource, object: d.object,
      at: [[], ['metadata'], ['metadata', 'name'], ['spec', 'template', 'spec', 'containers', 0, 'image'], ['data'], ['items', 0], ['nope', 1]].map((p) => d.positionOf(p)),
    })),
    errors: r.errors,
  });
}

function same(text: string, label: string): void {
  const fast = snapshot(parseManifestText(text, 'x.yaml'));
  const full = snapshot(parseManifestTextFull(text, 'x.yaml'));
  if (fast !== full) assert.fail(`fast and full parses differ for ${label}:\n${JSON.stringify(text.slice(0, 400))}\nfast: ${fast.slice(0, 600)}\nfull: ${full.slice(0, 600)}`);
}

const files = readCorpus(corpusFiles());

/** Every path into `v` (each key and element), and beside them paths that leave the tree. */
function allPaths(v: unknown, prefix: (string | number)[], out: (string | number)[][]): void {
  out.push(prefix);
  if (v === null || typeof v !== 'object') {
    out.push([...prefix, 'x'], [...prefix, 0]);
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => allPaths(x, [...prefix, i], out));
    out.push([...prefix, v.length], [...prefix, -1], [...prefix, '0'], [...prefix, 0.5]);
  } else {
    for (const [k, x] of Object.entries(v)) allPaths(x, [...prefix, k], out);
    out.push([...prefix, 'nope'], [...prefix, 0]);
  }
}

/** Positions of every path of every document: the fast path's (second reading) and the full parse's. */
function samePositions(text: string, label: string): void {
  const fast = parseManifestText(text, 'x.yaml');
  const full = parseManifestTextFull(text, 'x.yaml');
  if (fast.docs.length !== full.docs.length) return; // same() reports it
  fast.docs.forEach((d, i) => {
    const paths: (string | number)[][] = [];
    allPaths(full.docs[i].object, [], paths);
    for (const p of paths) {
      const a = JSON.stringify(d.positionOf(p));
      const b = JSON.stringify(full.docs[i].positionOf(p));
      if (a !== b) assert.fail(`positions differ for ${label}, document ${i}, path ${JSON.stringify(p)}: fast ${a}, full ${b}\n${JSON.stringify(text.slice(0, 400))}`);
    }
  });
}

test('corpus: every file reads the same on the fast path, and most take it', (t) => {
  requireCorpus();
  let fast = 0;
  for (const { file, text } of files) {
    same(text, file);
    if (fastParse(text)) fast++;
  }
  assert.ok(fast / files.length > 0.9, `only ${fast} of ${files.length} corpus files took the fast path`);
});

const EDGE_CASES: Record<string, string> = {
  'leading marker': '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
  'empty docs around': '---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# only a comment\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\n---\n',
  'helm sources': '---\n# Source: chart/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# Source: chart/templates/b.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n',
  'helm source first without marker': '# Source: c/t.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
  'trailing source comment': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n# Source: c/x.yaml\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n',
  'scalars': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n  a: yes\n  b: off\n  c: 0644\n  d: 08\n  e: 0x1F\n  f: 1e3\n  g: .inf\n  h: -.5\n  i: ~\n  j: null\n  k: "0644"\n  l: \'it\'\'s\'\n  m: "tab\\there \\u00e9 \\x41"\n  n: 12345678901234567890\n  o: +1\n  p: 0o17\n  q: 1_000\n  r: Y\n  s: True\n  t: :colon\n  u: a:b\n  v: http://x/y#frag\n  w: value # comment\n  x: -\n  y: 1.\n',
  'keys': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: k\n  labels:\n    app.kubernetes.io/name: x\n    "quoted key": 1\n    \'single\': 2\n    80: port\n    true: t\n',
  'block scalars': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  lit: |\n    line 1\n\n      indented\n    line 3\n\n\n  strip: |-\n    a\n    b\n  fold: >\n    one\n    two\n\n    three\n  foldstrip: >-\n    x\n    y\n  keep: |+\n    k\n\n  empty: |\n  after: 1\n  tabbed: |\n    a\tb\n  indicator: |2\n      two extra\n',
  'flow': 'apiVersion: v1\nkind: Pod\nmetadata: {name: f, labels: {a: b, "c": \'d\'}}\nspec:\n  containers: [{name: c, image: "i:1", args: [-c, "echo hi", 1, true, null, ~]}]\n  x: []\n  y: {}\n  z: [a, b, ]\n  w: [a: 1]\n  v: {a, b}\n  u: [a\n    , b]\n',
  'sequences': 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n-   apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: b\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: c}\n  data:\n    nested:\n    - - a\n      - b\n    - -\n      - c\n    -\n      k: v\n    - \n',
  'plain scalars with odd first characters': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: o\ndata:\n  a: =\n  b: /x/y\n  c: (a)\n  d: $HOME\n  e: ^x\n  f: \\n\n  g: =1\n  h: 0x1F\n  i: +.inf\n  j: .5\n  k: ~\n  l: ~x\n  m: _x\n  n: é\n  o: €1\n  p: <x>\n  q: -x\n  r: :x\n  s: ?x\n  t: 1.5e3\n  u: -.inf\n  v: .NaN\n  w: 0o7\n  x: 1:20\n  y: 2024-01-01\n  z: ;x\n',
  'plain scalar starting with a flow indicator': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: o\ndata:\n  a: ,x\n',
  'plain scalar starting with a closing bracket': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: o\ndata:\n  a: ]x\n  b: }y\n',
  'crlf line breaks': 'apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: c # comment\r\ndata:\r\n  lit: |\r\n    one\r\n\r\n    two\r\n  fold: >-\r\n    a\r\n    b\r\n  q: "x"\r\n  n: 1\r\n---\r\napiVersion: v1\r\nkind: Secret\r\nmetadata: {name: s}\r\n',
  'lone carriage return': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: x\ry\n',
  'carriage return at the very end': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\r',
  'document end at the end': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e\n...\n\n# trailing comment\n',
  'document end then another document': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e\n...\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: f\n',
  'document end with a comment, then a bare document': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e\n... # end\napiVersion: v1\nkind: Secret\nmetadata:\n  name: f\n',
  'document end then a helm source': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e\n...\n# Source: c/t.yaml\n',
  'list items in every layout': 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n-   apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: b\n-\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n- # comment\n\n   apiVersion: v1\n   kind: ConfigMap\n   metadata: {name: d}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: e}}\n---\nkind: ConfigMapList\napiVersion: v1\nmetadata: {}\nitems:\n    - apiVersion: v1\n      kind: ConfigMap\n      metadata: {name: x}\n',
  'list with bad item': 'apiVersion: v1\nkind: List\nitems:\n- 1\n- apiVersion: v1\n  kind: ConfigMap\n',
  'compact seq under key': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    ports:\n    - containerPort: 80\n      protocol: TCP\n  - name: b\n',
  'multi-line plain': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata:\n  a: first\n    second\n  b: "x\n    y"\n',
  'multi-line plain scalars the fast reader folds': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: m\nspec:\n  containers:\n  - name: c\n    args:\n    - while true; do\n        echo -en \'\\n\';\n        --flag x;\n\n        sleep 10;\n      done;\n    - two\n      lines  \n    command: sh\n      -c\n  # a comment ends it\n    image: i\n',
  'multi-line plain scalars left to the full parser': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata:\n  a: x # c\n    y\n  b: x\n    # c\n    y\n  c: x\n     \n    y\n  d: x\n    - y\n  e: x\n    [y]\n  f: x\n    y: z\n  g: x\n    y #z\n',
  'folded scalars with more-indented lines': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: f\ndata:\n  a: >\n\n    folded\n    line\n\n    next\n    line\n      * bullet\n\n      * list\n      * lines\n\n    last\n    line\n\n  b: >-\n    i=0;\n    while true;\n    do\n      echo "$i";\n      i=$((i+1));\n    done\n  c: >\n      deeper first\n    is an error\n',
  'flow collections over several lines': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: f\nspec:\n  containers:\n  - name: c\n    command: [/bin/sh, -c,\n      \'i=0; while true; do echo "$i: $(date)"; done\']\n    args: [\n        "--a=1",\n        # a comment line\n        \'it\'\'s\', -x y, {k: -v,\n          l: 2}\n        ]\n    image: i\n',
  'flow collections over several lines left to the full parser': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: f\ndata:\n  a: [x,\n    "y\n    # not a comment"]\n  b: [x,\n\n    y]\n  c: [x, # c\n    y]\n  d: [x,\n    it\'s]\n  e: [x,\n  y]\n  f: [-, - x, -]\n',
  'duplicate keys in every position': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# c\n\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n  labels:\n    x: 1\n    "x": 2\n  name: c\nspec:\n  containers:\n  - name: a\n    name: b\n    name: c\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: unread}\n',
  'duplicate keys in a first document': '# Source: c/t.yaml\n--- # x\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: 1\n  k: 2\n',
  'duplicate keys without a marker': '\n\napiVersion: v1\nkind: Secret\nkind: Secret\nmetadata:\n  name: a\n',
  'duplicate keys after a document end': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n...\napiVersion: v1\nkind: ConfigMap\nkind: Secret\n',
  'duplicate keys before a syntax error': 'apiVersion: v1\nkind: ConfigMap\nkind: ConfigMap\nmetadata:\n  name: a\n---\na: [b\n',
  'duplicate keys after a document without kind': 'apiVersion: v1\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nkind: ConfigMap\n',
  'duplicate keys in a flow mapping': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, name: b}\n',
  'anchors': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &n a\n  labels: {x: *n}\n',
  'merge': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  <<: {name: a}\n',
  'duplicates': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n',
  'json': '{\n  "apiVersion": "v1",\n  "kind": "ConfigMap",\n  "metadata": {"name": "j", "labels": {"a": "1"}},\n  "data": {"x": "y", "n": 1.0, "big": 1e400}\n}\n',
  'json duplicate': '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}, "kind": "Secret"}',
  'json list': '{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}]}',
  'json then yaml': '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
  'no kind': 'apiVersion: v1\nmetadata:\n  name: a\n',
  'scalar doc': 'just a string\n',
  'array doc': '- a\n- b\n',
  'indented root': '  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n',
  'tab indent': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: a\n',
  'crlf': 'apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: a\r\n',
  'comments everywhere': '# head\napiVersion: v1 # c\nkind: ConfigMap\n# mid\nmetadata:\n  # deeper\n  name: a\n    # more indented comment\ndata:\n  k: v#not-a-comment\n# tail\n',
  'document end': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n...\n',
  'marker with content': '--- apiVersion: v1\n',
  'key colon no space': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name:a\n',
  'value with colon space': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a: b\n',
  'empty': '',
  'only comments': '# nothing\n',
  'multi-line double-quoted scalars': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: q\nspec:\n  containers:\n  - name: c\n    command:\n    - "start \\\n      --a=1 \\\n      --b=2"\n    - "one  \n       two \\"q\\"\n      \\x41\\t\\u00e9 # not a comment\n      ---\n      ...\n      three\\\\"  # comment\n    args: ["x"]\n    image: "i\n      j"\n',
  'multi-line double-quoted scalars left to the full parser': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: q\ndata:\n  a: "kept \\ \n    b"\n  b: "\n    first line empty"\n  c: "blank\n\n    line"\n  d: "shallow\n  line"\n  e: "tab\t\n    x"\n  f: "junk\n    after" x\n  g: "unclosed\n    end\n',
  'proto key': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n__proto__:\n  x: 1\n',
};

test('edge cases read the same on both paths', () => {
  for (const [name, text] of Object.entries(EDGE_CASES)) same(text, name);
});

test('positions of every field: the fast reader\'s second reading places them as the full parse does', () => {
  for (const [name, text] of Object.entries(EDGE_CASES)) samePositions(text, name);
  let placed = 0;
  let read = 0;
  for (const { file, text } of files) {
    if (text.length > 20_000 || !fastParse(text) || text.trimStart().startsWith('{')) continue;
    read++;
    if (fastPositions(text)) placed++;
    samePositions(text, file);
  }
  // The second reading is the fast reader's: it places what the first one read.
  assert.ok(read === 0 || placed === read, `${read - placed} of ${read} files read fast were not placed`);
  const seq = fastPositions(EDGE_CASES.sequences);
  assert.ok(seq && seq.at.size > 5, 'no positions noted for the sequences edge case');
});

test('multi-line plain and double-quoted scalars, more-indented folded lines, multi-line flow collections and duplicate keys take the fast path', () => {
  const plain = fastParse(EDGE_CASES['multi-line plain scalars the fast reader folds'])?.[0]?.value as any;
  assert.ok(plain, 'the fast reader left the multi-line plain scalars to the full parser');
  assert.deepEqual(plain.spec.containers[0].args, ["while true; do echo -en '\\n'; --flag x;\nsleep 10; done;", 'two lines']);
  assert.equal(plain.spec.containers[0].command, 'sh -c');
  const folded = fastParse(EDGE_CASES['folded scalars with more-indented lines'].replace(/  c: >\n[^]*$/, ''))?.[0]?.value as any;
  assert.ok(folded, 'the fast reader left the folded scalars to the full parser');
  assert.equal(folded.data.a, '\nfolded line\nnext line\n  * bullet\n\n  * list\n  * lines\n\nlast line\n');
  assert.equal(folded.data.b, 'i=0; while true; do\n  echo "$i";\n  i=$((i+1));\ndone');
  const dups = fastParse(EDGE_CASES['duplicate keys in every position'], true);
  assert.ok(dups?.[1]?.dups, 'the fast reader left the duplicate keys to the full parser');
  assert.deepEqual(dups[1].dups.map((x) => [x.key, x.line, x.col, x.firstLine]), [['x', 13, 4, 12], ['name', 14, 2, 10], ['name', 18, 4, 17], ['name', 19, 4, 17]]);
  assert.equal(fastParse(EDGE_CASES['duplicate keys in every position']), undefined, 'without reportDuplicates, duplicates are the full parser\'s');
  const dq = fastParse(EDGE_CASES['multi-line double-quoted scalars'])?.[0]?.value as any;
  assert.ok(dq, 'the fast reader left the multi-line double-quoted scalars to the full parser');
  assert.deepEqual(dq.spec.containers[0].command, ['start --a=1 --b=2', 'one two "q" A\té # not a comment --- ... three\\']);
  assert.equal(dq.spec.containers[0].image, 'i j');
  const flow = fastParse(EDGE_CASES['flow collections over several lines'])?.[0]?.value as any;
  assert.ok(flow, 'the fast reader left the multi-line flow collections to the full parser');
  assert.deepEqual(flow.spec.containers[0].command, ['/bin/sh', '-c', 'i=0; while true; do echo "$i: $(date)"; done']);
  assert.deepEqual(flow.spec.containers[0].args, ['--a=1', "it's", '-x y', { k: '-v', l: 2 }]);
});

test('characters the fast reader leaves to the full parser: control characters, BOM, line separators and lone surrogates, with or without an emoji elsewhere', () => {
  const doc = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: u\ndata:\n  a: "x${v}y"\n`;
  const emoji = '\u{1f600}';
  // One search finds either kind; the text is searched again for what it found (an emoji
  // alone is read fast, anything unsafe or lone leaves the text to the full parser).
  const cases: [string, boolean][] = [
    [emoji, true], ['\u00e9\ue000\uffef', true], [`${emoji}${emoji}`, true],
    ['\x01', false], ['\x7f', false], ['\x85', false], ['\ufeff', false], ['\u2028', false], ['\ud83d', false], ['\ude00', false],
  ];
  for (const [v, fast] of cases) {
    for (const text of [doc(v), doc(emoji) + `  b: "${v}"\n`, `  # ${v}\n` + doc(emoji), doc(v).replace('name: u', `name: u\n  labels: {a: ${emoji}}`)]) {
      const took = fastParse(text, true) !== undefined;
      assert.equal(took, fast, `fast path for ${JSON.stringify(text)}`);
      same(text, JSON.stringify(v));
    }
  }
});

test(`${MUTANTS} random mutations of corpus files read the same on both paths`, (t) => {
  requireCorpus();
  const seed = seedOf(14);
  const r = rng(seed);
  const small = files.filter((f) => f.text.length < 20_000);
  for (let i = 0; i < MUTANTS; i++) {
    const base = small[Math.floor(r() * small.length)];
    const text = mutate(base.text, r);
    same(text, `mutant ${i} of ${base.file} (seed ${seed})`);
    samePositions(text, `mutant ${i} of ${base.file} (seed ${seed})`);
  }
});

// How the reader splits lines (a CRLF's CR dropped, a lone CR refused) and finds their
// indentation: line breaks, blank lines of spaces, tabs, CRs anywhere and a last line
// without a break, mixed at random, read as the full parse reads them (and enough of them
// on the fast path, so that it is the one tested).
test('random line layouts (CRLF, lone CRs, blank lines of spaces, tabs, no final break) read the same on both paths', () => {
  const seed = seedOf(18);
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const bodies = ['k: v', 'k: 1', 'n: "q # x"', "s: 'a'", 'l: |', 'f: >-', 'x: [a, b]', 'm: {a: 1}', '- a', '- k: v', '# c', 'text line', 'k:', '- ', 'p: a b', '"q": 2', 'e: é'];
  let fast = 0;
  let crlfRead = 0;
  let crlfFast = 0;
  const N = 1500;
  for (let i = 0; i < N; i++) {
    const lines: string[] = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: r', 'data:'];
    const n = 1 + Math.floor(r() * 8);
    let indent = 2;
    for (let k = 0; k < n; k++) {
      const x = r();
      if (x < 0.08) lines.push(' '.repeat(Math.floor(r() * 6)));
      else if (x < 0.11) lines.push(' '.repeat(Math.floor(r() * 4)) + '\t' + pick(bodies));
      else {
        if (r() < 0.3) indent = Math.max(2, indent + pick([-2, 2, 4]));
        lines.push(' '.repeat(indent) + pick(bodies).replace('k', `k${k}`));
      }
    }
    const crlf = r() < 0.3;
    let text = lines.join(crlf ? '\r\n' : '\n') + pick(['', '\n', crlf ? '\r\n' : '\n', '\n  ', '\r']);
    if (r() < 0.1) {
      const at = Math.floor(r() * text.length);
      text = text.slice(0, at) + '\r' + text.slice(at);
    }
    const took = fastParse(text) !== undefined;
    if (took) fast++;
    if (crlf) {
      crlfRead++;
      if (took) crlfFast++;
    }
    same(text, `layout ${i} (seed ${seed})`);
    samePositions(text, `layout ${i} (seed ${seed})`);
  }
  assert.ok(fast > N / 10, `only ${fast} of ${N} layouts took the fast path`);
  // CRLF texts too: a CR left at a line's end would send them all to the full parser.
  assert.ok(crlfFast > crlfRead / 10, `only ${crlfFast} of ${crlfRead} CRLF layouts took the fast path`);
});

// Literal block scalars: random blocks with empty lines, lines of fewer, as many or more
// spaces than the indentation, more-indented and tab-led lines, leading and trailing empty
// lines, CRLF. (It caught a reading of a block as one slice of the text with the
// indentation replaced that took a spaces-only line or a CR as content: round 101, not kept.)
test('random literal block scalars read the same on both paths', () => {
  const seed = seedOf(19);
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  let fast = 0;
  const N = 1500;
  for (let i = 0; i < N; i++) {
    const indent = pick([4, 6]);
    const lines: string[] = [];
    if (r() < 0.1) lines.push('');
    const n = 1 + Math.floor(r() * 6);
    for (let k = 0; k < n; k++) {
      const x = r();
      if (x < 0.25) lines.push(' '.repeat(pick([0, 0, 1, indent - 1, indent, indent + 1])));
      else if (x < 0.3) lines.push(' '.repeat(indent) + '\tt');
      else lines.push(' '.repeat(indent + pick([0, 0, 0, 2])) + pick(['a', 'b c', '# not a comment', 'k: v', '- x', '"q"']));
    }
    if (r() < 0.2) lines.push('');
    const text = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: b', 'data:', `  l: ${pick(['|', '|-'])}`, ...lines, pick(['  after: 1', ''])].join(r() < 0.2 ? '\r\n' : '\n') + '\n';
    if (fastParse(text)) fast++;
    same(text, `block ${i} (seed ${seed})`);
  }
  assert.ok(fast > N / 4, `only ${fast} of ${N} blocks took the fast path`);
});
