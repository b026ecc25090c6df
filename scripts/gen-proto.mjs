#!/usr/bin/env node
// Generates src/api/rest/proto/k8s-proto.json, the compact descriptor the protobuf body
// decoder runs on, from Kubernetes' own generated.proto files (k8s.io/api and
// k8s.io/apimachinery at one tag) plus the Go types beside them: which fields are pointers or
// lack `omitempty` (a zero value there is kept, as kube-apiserver's JSON would keep it), and
// a field's named Go type from its casttype (a 6th entry: `v1.Protocol`, for decode errors),
// and the struct's field order where it is not the field numbers' (`o`, for -o json's order),
// and what Go's encoding/json writes for each field the struct lacks a value for (`z`).
// Usage: node scripts/gen-proto.mjs <k8s.io/api git dir> <k8s.io/apimachinery git dir> [tag]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const [apiGit, machGit, tag = 'v0.32.9'] = process.argv.slice(2);
if (!apiGit || !machGit) {
  console.error('usage: gen-proto.mjs <api git dir> <apimachinery git dir> [tag]');
  process.exit(2);
}
const git = (dir, ...args) => execFileSync('git', ['--git-dir', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
const files = (dir) => git(dir, 'ls-tree', '-r', '--name-only', tag).split('\n').filter(Boolean);
const show = (dir, f) => git(dir, 'show', `${tag}:${f}`);

const machProtos = ['pkg/apis/meta/v1/generated.proto', 'pkg/runtime/generated.proto', 'pkg/api/resource/generated.proto', 'pkg/util/intstr/generated.proto', 'pkg/runtime/schema/generated.proto'];
const sources = [
  ...files(apiGit).filter((f) => f.endsWith('/generated.proto')).map((f) => [apiGit, f]),
  ...machProtos.map((f) => [machGit, f]),
];

const messages = {};
const groups = {};
/** `pkg.Message/fieldNo` -> the Go field (its type as declared, omitempty), for the zeros. */
const goFields = new Map();
const SCALARS = new Set(['string', 'int32', 'int64', 'bool', 'bytes', 'double', 'float', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64']);
for (const [dir, f] of sources) {
  const text = show(dir, f);
  const pkg = /^package ([\w.]+);/m.exec(text)[1];
  const pkgDir = f.slice(0, f.lastIndexOf('/'));
  // Go struct fields: json name/omitempty and pointer-ness, by protobuf field number.
  const keep = {};
  for (const g of files(dir).filter((x) => x.startsWith(pkgDir + '/') && !x.slice(pkgDir.length + 1).includes('/') && x.endsWith('.go') && !x.endsWith('_test.go') && !x.includes('generated'))) {
    let cur;
    for (const line of show(dir, g).split('\n')) {
      const s = /^type (\w+) struct \{/.exec(line);
      if (s) { cur = keep[s[1]] = {}; continue; }
      if (/^\}/.test(line)) { cur = undefined; continue; }
      const m = cur && /^\s+(?:\w+\s+((\*?)\S+)|([\w.]+))\s+`json:"([^",]*)(,[^"]*)?".*protobuf:"\w+,(\d+),/.exec(line);
      // 'inline': an embedded struct whose fields JSON puts in the parent (IngressRuleValue)
      // casttype: a named Go type (`Protocol`, a slice's `Capability`, `ResourceList`), which encoding/json's errors name.
      // (`k8s.io/apimachinery/pkg/types.UID` is another package's: `types.UID`).
      const cast = m && /protobuf:"[^"]*,casttype=([\w./]+)/.exec(line)?.[1];
      const goType = cast && (cast.includes('/') ? cast.slice(cast.lastIndexOf('/') + 1) : `${pkgDir.split('/').pop()}.${cast}`);
      if (!m) continue;
      const [, fieldType, star, embedded, json, opts = '', no] = m;
      cur[no] = { json, keep: opts.includes('inline') ? 'inline' : star === '*' || !opts.includes('omitempty'), cast: goType, go: fieldType ?? embedded, omitempty: opts.includes('omitempty') };
    }
    const gn = /const GroupName = "([^"]*)"/.exec(show(dir, g));
    if (gn && dir === apiGit) groups[(gn[1] ? gn[1] + '/' : '') + pkgDir.split('/').pop()] = pkg;
  }
  const qualify = (t) => (SCALARS.has(t) ? t : t.startsWith('.') ? t.slice(1) : `${pkg}.${t}`);
  // Line by line: comments may hold braces ("{key,value}").
  let comment = '';
  let cur;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t.startsWith('//')) { comment += t + '\n'; continue; }
    const mm = /^message (\w+) \{/.exec(t);
    if (mm) { cur = { name: mm[1], comment, fields: {}, order: [] }; comment = ''; continue; }
    comment = '';
    if (!cur) continue;
    if (t === '}') {
      const msg = { f: cur.fields };
      // The Go struct's field order (go-to-protobuf writes the fields as the struct declares
      // them), which encoding/json follows: kept when it is not the field numbers' order.
      if (cur.order.some((n, i) => i > 0 && n < cur.order[i - 1])) msg.o = cur.order;
      // `// +protobuf.nullable=true` messages with only `repeated items` stand for a Go slice.
      if (cur.comment.includes('+protobuf.nullable=true') && Object.keys(cur.fields).length === 1 && cur.fields[1]?.[0] === 'items') msg.list = 1;
      messages[`${pkg}.${cur.name}`] = msg;
      cur = undefined;
      continue;
    }
    const fm = /^(optional|repeated|map<(\w+),\s*([\w.]+)>)\s*([\w.]*)\s+(\w+) = (\d+);/.exec(t);
    if (!fm) continue;
    const [, label, keyType, valType, type, fname, no] = fm;
    const entry = label.startsWith('map') ? [fname, qualify(valType), 2, qualify(keyType)] : [fname, qualify(type), label === 'repeated' ? 1 : 0, 0];
    const go = keep[cur.name]?.[no];
    // The JSON name is the Go tag's (a few proto names differ: Webhooks, Expression, Raw).
    if (go?.json) entry[0] = go.json;
    if (go?.keep === 'inline') entry[4] = 2;
    else if (go?.keep) entry[4] = 1;
    if (go?.cast) entry.push(...(entry.length === 4 ? [0] : []), go.cast);
    if (go && go.keep !== 'inline') goFields.set(`${pkg}.${cur.name}/${no}`, go);
    cur.fields[no] = entry;
    cur.order.push(Number(no));
  }
}
// What encoding/json writes for a field the object lacks (Go's zero value): a nil pointer,
// slice or map is null unless omitempty drops it; a number, string or bool likewise 0, "" or
// false; a struct is written whatever omitempty says: {} here (its own zeros filled in from
// its message), or what its MarshalJSON makes of a zero value.
const STRUCT_ZEROS = {
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time': null,
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': null,
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration': '0s',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1': null,
  'k8s.io.apimachinery.pkg.runtime.RawExtension': null,
  'k8s.io.apimachinery.pkg.api.resource.Quantity': '0',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 0,
};
const NUMBERS = new Set([...SCALARS].filter((t) => t !== 'string' && t !== 'bool' && t !== 'bytes'));
function goZero(go, [, type, label]) {
  const nilable = go.go.startsWith('*') || go.go.startsWith('[]') || go.go.startsWith('map[') || label !== 0 || type === 'bytes' || messages[type]?.list;
  if (nilable) return go.omitempty ? undefined : null;
  if (type in STRUCT_ZEROS) return STRUCT_ZEROS[type];
  if (messages[type] || type.startsWith('k8s.io.')) return {};
  if (go.omitempty) return undefined;
  return type === 'string' ? '' : type === 'bool' ? false : NUMBERS.has(type) ? 0 : (() => { throw new Error(`no zero for ${type}`); })();
}
for (const [key, go] of goFields) {
  const [type, no] = key.split('/');
  const zero = goZero(go, messages[type].f[no]);
  if (zero !== undefined) (messages[type].z ??= {})[no] = zero;
}
const out = { source: `k8s.io/api and k8s.io/apimachinery ${tag}`, groups, messages };
writeFileSync(new URL('../src/api/rest/proto/k8s-proto.json', import.meta.url), JSON.stringify(out) + '\n');
console.log(`${Object.keys(messages).length} messages, ${Object.keys(groups).length} group versions`);
