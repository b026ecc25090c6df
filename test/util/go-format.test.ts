// src/util/go-format.ts is the one place Go's renderings live (strconv.Quote, %v of floats and
// JSON values, encoding/json strings). Unit cases pin the rules; the kubectl cases make the
// real Go (kubectl 1.32's template and JSON printers) print the same values and compare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { byteOrder, formatFloatG, goBase64Error, goFloat, goJson, goJsonKind, goJsonString, goNumber, goQuote, goSharpV, goSprint, goStringSlice, goUnmarshalTypeError } from '../../src/util/go-format';
import { loadFile } from '../../src/kubeconfig/loader';
import { jsonPathPrinter } from '../../src/printers/jsonpath';
import { kubectlPrint, withLabel } from '../printers/kubectl-oracle';
import { requireKubectl } from '../oracles';

// Control characters, DEL, non-printing formats (soft hyphen, line separator, a tag rune),
// printable non-ASCII and an astral symbol.
const STRINGS = ['plain', 'sp ace', 'q"uote', 'back\\slash', "it's", '\x07\b\f\n\r\t\v', '\x00\x01\x1b\x7f', '\u0085\u00a0\u00ad', 'é日本', '\u2028\u2029', '\ufeff', '😀', '\u{e0001}', '<&>'];

test('goQuote follows strconv.Quote', () => {
  assert.equal(goQuote('\x07\b\f\n\r\t\v'), '"\\a\\b\\f\\n\\r\\t\\v"');
  assert.equal(goQuote('\x00\x01\x1b\x7f'), '"\\x00\\x01\\x1b\\x7f"');
  assert.equal(goQuote('\u0085\u00a0\u00ad'), '"\\u0085\\u00a0\\u00ad"');
  assert.equal(goQuote('q"uote back\\slash it\'s'), '"q\\"uote back\\\\slash it\'s"');
  assert.equal(goQuote('é日本😀'), '"é日本😀"');
  assert.equal(goQuote('\u{e0001}'), '"\\U000e0001"');
  assert.equal(goQuote('\ud800'), '"\ufffd"');
  assert.equal(goStringSlice(['a', '\x07']), '[]string{"a", "\\a"}');
});

test('formatFloatG and goFloat follow strconv.FormatFloat(f, g, prec, 64)', () => {
  const cases: [number, number, string][] = [
    [1e6, -1, '1e+06'], [123456, -1, '123456'], [0.0001, -1, '0.0001'], [0.00001, -1, '1e-05'], [1.5, -1, '1.5'],
    [-2.25, -1, '-2.25'], [1e21, -1, '1e+21'], [3e-7, -1, '3e-07'], [1234567.5, -1, '1.2345675e+06'], [-0, -1, '-0'],
    [NaN, -1, 'NaN'], [Infinity, -1, '+Inf'], [-Infinity, -1, '-Inf'], [3.14159, 3, '3.14'], [1234567, 3, '1.23e+06'], [100, 2, '1e+02'],
  ];
  for (const [f, prec, want] of cases) assert.equal(formatFloatG(f, prec), want, `${f} prec ${prec}`);
  assert.equal(goFloat(1e6), '1e+06');
  assert.equal(goNumber(1e6), '1000000');
  assert.equal(goNumber(2 ** 63), '9.223372036854776e+18');
});

test('goJsonString follows encoding/json (short \\b \\f since Go 1.22, HTML-safe)', () => {
  assert.equal(goJsonString('\b\f\n\r\t\x01\x7f<>&\u2028\u2029é'), '"\\b\\f\\n\\r\\t\\u0001\x7f\\u003c\\u003e\\u0026\\u2028\\u2029é"');
  assert.equal(goJsonString('\ud800x\u{1f600}'), '"\\ufffdx\u{1f600}"'); // invalid UTF-8 as \ufffd, pairs as they are
  assert.equal(goJsonString('a\\ud800'), '"a\\\\ud800"'); // a backslash and text, not a surrogate
  assert.equal(goJsonString('x'.repeat(20_000_000)).length, 20_000_002); // megabyte strings (last-applied) stay fast
  assert.equal(goJson({ b: 1, a: [true, null, 'x'], '10': 0, '9': 0 }), '{"10":0,"9":0,"a":[true,null,"x"],"b":1}');
  assert.equal(goJson({ b: 1, a: 2 }, '', false), '{"b":1,"a":2}');
});

test('%v and %#v of decoded JSON, Go string order', () => {
  assert.equal(goSprint({ b: [1, 'x', null], a: { c: 1.5e6 } }), 'map[a:map[c:1500000] b:[1 x <nil>]]');
  assert.equal(goSprint({ f: 1.25e6 + 0.5 }), 'map[f:1.2500005e+06]');
  assert.equal(goSharpV({ k: ['\x07', 2, null] }), 'map[string]interface {}{"k":[]interface {}{"\\a", 2, interface {}(nil)}}');
  assert.deepEqual(['b', '\u{1f600}', '\uffff', 'a'].sort(byteOrder), ['a', 'b', '\uffff', '\u{1f600}']);
});

test('Go string order: the sign of byteOrder is the UTF-8 bytes\' order, lone surrogates by code point', () => {
  // Seeded random strings over units where code unit and code point order part: ASCII,
  // U+E000-U+FFFF, pairs and lone halves, often sharing a prefix.
  let seed = 18;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
  const units = ['a', 'b', '~', '\u00e9', '\ud7ff', '\ue000', '\uffff', '\u{1f600}', '\u{10000}', '\ud83d', '\ude00', '\udbff'];
  const word = () => Array.from({ length: rnd(4) }, () => units[rnd(units.length)]).join('');
  const byCodePoints = (a: string, b: string): number => {
    const ca = [...a].map((c) => c.codePointAt(0)!);
    const cb = [...b].map((c) => c.codePointAt(0)!);
    for (let i = 0; i < Math.min(ca.length, cb.length); i++) if (ca[i] !== cb[i]) return ca[i] - cb[i];
    return ca.length - cb.length;
  };
  const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  let valid = 0;
  for (let k = 0; k < 20000; k++) {
    const p = word();
    const a = p + word();
    const b = p + word();
    const got = Math.sign(byteOrder(a, b));
    assert.equal(got, Math.sign(byCodePoints(a, b)), JSON.stringify([a, b]));
    // Where both are well-formed UTF-16, Node's UTF-8 encoding is Go's bytes.
    if (!lone.test(a) && !lone.test(b)) {
      valid++;
      assert.equal(got, Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')), JSON.stringify([a, b]));
    }
  }
  assert.ok(valid > 2000, `only ${valid} well-formed pairs`);
});

const cm = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', labels: {} as Record<string, string> },
  data: Object.fromEntries(STRINGS.map((s, i) => [`s${i}`, s])),
  floats: [1e6, 123456.5, 0.0001, 0.00001, 1.5, -2.25, 1e21, 3e-7, 1234567.5, 2.5e-5],
};

test('goQuote prints what Go prints for %q (kubectl go-template printf)', () => {
  requireKubectl();
  const tpl = STRINGS.map((_, i) => `{{printf "%q" .data.s${i}}}{{"\\n"}}`).join('');
  const want = kubectlPrint(cm, `go-template=${tpl}`);
  assert.equal(want.status, 0, want.stderr);
  assert.equal(STRINGS.map((s) => goQuote(s) + '\n').join(''), want.stdout);
});

test('goFloat prints what Go prints for %v of a float64 (kubectl go-template)', () => {
  requireKubectl();
  const want = kubectlPrint(cm, 'go-template={{range .floats}}{{.}}{{"\\n"}}{{end}}');
  assert.equal(want.status, 0, want.stderr);
  assert.equal(cm.floats.map((f) => goNumber(f) + '\n').join(''), want.stdout);
});

test('goJsonString prints what encoding/json prints (kubectl -o jsonpath of a map)', () => {
  requireKubectl();
  const want = kubectlPrint(cm, 'jsonpath={.data}');
  assert.equal(want.status, 0, want.stderr);
  assert.equal(goJson(cm.data), want.stdout);
});

test('a JSONPath execution error quotes the template as kubectl does (\\a, not \\x07)', () => {
  requireKubectl();
  const expr = '{.metadata.name[1:2]}\x07\x01\u00ad';
  const want = kubectlPrint(cm, `jsonpath=${expr}`);
  let err = '';
  try {
    jsonPathPrinter(expr)(withLabel(cm));
  } catch (e) {
    err = `error: ${(e as Error).message}\n`;
  }
  assert.match(err, /jsonpath "\{\.metadata\.name\[1:2\]\}\\a\\x01\\u00ad"/);
  assert.equal(err, want.stderr);
});

test('goUnmarshalTypeError and goJsonKind follow encoding/json\'s UnmarshalTypeError', () => {
  assert.deepEqual([{}, [], 'x', 1.5, true, null].map(goJsonKind), ['object', 'array', 'string', 'number', 'bool', 'null']);
  assert.equal(goUnmarshalTypeError('string', 'int32', 'DeploymentSpec', 'spec.replicas'), 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(goUnmarshalTypeError('number 1.5', 'v1.Container'), 'json: cannot unmarshal number 1.5 into Go value of type v1.Container');
});

test('kubeconfig type errors are the ones kubectl prints (encoding/json through goUnmarshalTypeError)', () => {
  requireKubectl();
  const dir = mkdtempSync(join(tmpdir(), 'go-unmarshal-'));
  const docs = [
    'apiVersion: v1\nkind: Config\ncurrent-context: 5\n',
    'apiVersion: v1\nkind: Config\nclusters: [{name: a, cluster: {server: [x]}}]\n',
    'apiVersion: v1\nkind: Config\nusers: [{name: u, user: {client-certificate-data: {a: b}}}]\n',
    'apiVersion: v1\nkind: Config\ncontexts: {a: b}\n',
    'apiVersion: v1\nkind: Config\ncontexts: [{name: c, context: [1]}]\n',
    'true\n',
  ];
  docs.forEach((text, i) => {
    const file = join(dir, `k${i}`);
    writeFileSync(file, text);
    const want = spawnSync('kubectl', ['--kubeconfig', file, 'config', 'view'], { encoding: 'utf8' });
    assert.equal(want.status, 1, text);
    assert.throws(() => loadFile(file), (e: Error) => `error: ${e.message}\n` === want.stderr, `${text}kubectl: ${want.stderr}`);
  });
});

test("goBase64Error is base64.StdEncoding.Decode's error (offsets checked against kubectl 1.32's decode of a Secret's data)", () => {
  const cases: [string, number | undefined][] = [
    ['YWJj', undefined], ['YQ==', undefined], ['YW\nJj', undefined], ['YQ==\n', undefined], ['', undefined],
    ['not base64!', 3], ['YWJ', 0], ['YW Jj', 2], ['YQ=', 3], ['YQ', 0], ['Y===', 1], ['YQ==x', 4], ['é', 0], ['=', 0], ['YWJjZA=', 7], ['YWJjZA==YQ==', 8],
  ];
  for (const [text, at] of cases) assert.equal(goBase64Error(text), at === undefined ? undefined : `illegal base64 data at input byte ${at}`, JSON.stringify(text));
});
