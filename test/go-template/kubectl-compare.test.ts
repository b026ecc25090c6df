// go-template output and errors compared with the real kubectl (`label --local -o go-template=`).

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeGoTemplate, goTemplateErrorText } from '../../src/printers/go-template';
import { KUBECTL_GO_ENV, requireKubectl } from '../oracles';
import { execAsync } from '../helpers/exec';


const OBJ = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'prod', labels: { app: 'web', 'app.kubernetes.io/name': 'web' }, annotations: { note: 'a <b> & c' } },
  spec: {
    replicas: 3,
    big: 1000000,
    frac: 0.5,
    tiny: 0.00001,
    neg: -2,
    t: true,
    f: false,
    nul: null,
    list: ['a', 'b', 'c'],
    empty: [],
    emptyMap: {},
    secret: 'aGVsbG8gd29ybGQ=',
    objs: [
      { n: 'x', v: 1 },
      { n: 'y', v: 2 },
    ],
    template: {
      spec: {
        containers: [
          { name: 'c1', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }] },
          { name: 'c2', image: 'redis', env: [{ name: 'A', value: '1' }] },
        ],
      },
    },
  },
};

const dir = mkdtempSync(join(tmpdir(), 'gotpl-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'obj.json');
writeFileSync(file, JSON.stringify(OBJ));

// The object as kubectl hands it to the template (with the label it adds).
let data: unknown;
function kubectlData(): unknown {
  requireKubectl();
  data ??= JSON.parse(spawnSync('kubectl', ['label', '--local', '-f', file, 'x=y', '-o', 'json'], { encoding: 'utf8' }).stdout);
  return data;
}

async function kubectl(template: string): Promise<{ out?: string; err?: string }> {
  const r = await execAsync('kubectl', ['label', '--local', '-f', file, 'x=y', '-o', `go-template=${template}`], { env: { ...process.env, ...KUBECTL_GO_ENV } });
  if (r.code === 0) return { out: r.stdout };
  const lines = r.stderr.trimEnd().split('\n');
  return { err: lines[lines.length - 1].replace(/^error: /, '') };
}

function ours(template: string): { out?: string; err?: string } {
  try {
    return { out: executeGoTemplate(template, kubectlData()) };
  } catch (e) {
    const text = goTemplateErrorText(template, e);
    if (!text) throw e;
    return { err: text };
  }
}

const TEMPLATES = [
  // fields and printing
  '{{.metadata.name}}',
  '{{.metadata.nope}}',
  '{{.metadata.nope.deeper}}',
  '{{.metadata.labels}}',
  '{{.}}',
  '{{.spec.replicas}} {{.spec.big}} {{.spec.frac}} {{.spec.tiny}} {{.spec.neg}} {{.spec.t}} {{.spec.nul}}',
  '{{.spec.list}} {{.spec.empty}} {{.spec.emptyMap}} {{.spec.objs}}',
  '{{$}}{{$.kind}}',
  '{{.metadata.annotations.note}}',
  // range
  '{{range .spec.template.spec.containers}}{{.name}}={{.image}}\n{{end}}',
  '{{range $i, $c := .spec.template.spec.containers}}{{$i}}:{{$c.name}} {{end}}',
  '{{range $k, $v := .metadata.labels}}{{$k}}={{$v}};{{end}}',
  '{{range .spec.template.spec.containers}}{{.name}}{{range .ports}}/{{.containerPort}}{{end}} {{end}}',
  '{{range .spec.empty}}x{{else}}none{{end}}',
  '{{range .spec.nope}}x{{else}}missing{{end}}',
  '{{range $c := .spec.template.spec.containers}}{{$c.name}}{{end}}',
  '{{range .spec.list}}{{if eq . "b"}}{{continue}}{{end}}{{.}}{{end}}',
  '{{range .spec.list}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}',
  // conditionals, with, variables
  '{{if eq .kind "Deployment"}}deploy{{else if eq .kind "Pod"}}pod{{else}}other{{end}}',
  '{{if .spec.empty}}T{{else}}F{{end}}{{if .spec.nul}}T{{else}}F{{end}}{{if .spec.list}}T{{end}}{{if .spec.f}}T{{else}}F{{end}}',
  '{{with .metadata}}{{.name}}/{{.namespace}}{{end}}',
  '{{with .spec.nope}}yes{{else}}no{{end}}',
  '{{$x := .metadata.name}}{{$x}}-{{$x = "changed"}}{{$x}}',
  '{{$n := len .spec.list}}{{$n}}',
  // functions
  '{{len .spec.list}} {{len .metadata.labels}} {{len .metadata.name}}',
  '{{index .spec.list 1}} {{index .spec.objs 0 "n"}} {{index .metadata.labels "app"}} {{index .metadata.labels "zz"}}',
  '{{index .metadata.labels "app.kubernetes.io/name"}}',
  '{{.spec.secret | base64decode}}',
  '{{exists . "metadata" "name"}} {{exists . "spec" "nope"}} {{exists . "spec" "list" 1}} {{exists . "spec" "list" 9}}',
  '{{printf "%s-%d-%v-%q" .metadata.name .spec.replicas .spec.frac .kind}}',
  '{{printf "%5s|%-5s|%05d|%x|%X|%o|%t|%+d" "a" "b" 42 255 255 8 true 7}}',
  '{{printf "%.2f %e %g %v" 3.14159 1234.5678 0.000012 .spec.big}}',
  '{{printf "%s %d" .spec.replicas "x"}}',
  '{{printf "%d"}} {{printf "%d" 1 2}}',
  '{{printf "%v %s" .spec.list .spec.objs}}',
  '{{print 1 2 "a" "b" 3}} {{print .spec.nul}} {{print .spec.missing}}',
  '{{println "a" 1 .spec.t}}',
  '{{and 1 0 2}} {{or 0 "" "x"}} {{not 0}} {{and .spec.t .spec.list}} {{or .spec.nope .metadata.name}}',
  '{{eq .spec.replicas 3}} {{ne .kind "Pod"}} {{lt 1 2}} {{le "a" "b"}} {{gt .spec.replicas 2}} {{ge .spec.frac 0.5}}',
  '{{eq .kind "A" "B" "Deployment"}} {{eq .spec.nope "x"}}',
  '{{.metadata.name | printf "%s!"}} {{.spec.replicas | printf "%v-%v" "n"}}',
  '{{(index .spec.objs 1).n}} {{(len .spec.list)}}',
  '{{html "<a href=\'x\'>&</a>"}} {{urlquery "a b&c=d"}} {{js "it\'s <b>"}}',
  '{{slice .spec.list 1 2}} {{slice .metadata.name 1}}',
  // whitespace and literals
  '{{/* a comment */}}a {{- " b " -}} c',
  '{{- /* trimmed comment */ -}}\n  x  \n{{- "y" }}',
  '{{`raw\\n`}}{{"q\\t\\n"}}{{\'a\'}} {{0x1F}} {{1e3}} {{2.50}} {{-7}} {{true}}',
  // execution errors
  '{{.metadata.name.x}}',
  '{{.spec.list.x}}',
  '{{.spec.nul.x}}',
  '{{index .metadata.labels 3}}',
  '{{index .spec.list 5}}',
  '{{len 3}}',
  '{{eq .spec.replicas 3.0}}',
  '{{lt 1 2.5}}',
  '{{lt .spec.nope 1}}',
  '{{.metadata.name 1}}',
  '{{"x" 1}}',
  '{{base64decode .spec.replicas}}',
  '{{base64decode "!!"}}',
  '{{printf 3}}',
  '{{len}}',
  '{{ne 1}}',
  '{{range .spec.replicas}}{{.}}{{end}}',
  '{{range .metadata.name}}{{.}}{{end}}',
  '{{nil}}',
  // parse errors
  '{{.x.y',
  '{{.metadata.name}',
  '{{nope}}',
  '{{base64encode .x}}',
  '{{$x := 5}}{{$y}}',
  '{{range .spec.list}}{{.}}{{else}}E{{end}}{{end}}',
  '{{if .x}}a',
  '{{end}}',
  '{{else}}',
  '{{}}',
  '{{.a | "x"}}',
  '{{"unterminated}}',
  "{{'x}}",
  '{{"a\\"b"}} {{\'\\\'\'}} {{\'a\'}}',
  '{{(.a}}',
  '{{.a)}}',
  '{{3.x}}',
  '{{/* unclosed',
  '{{break}}',
  '{{if}}{{end}}',
  '{{range $a, $b, $c := .x}}{{end}}',
  '{{.a @}}',
];

// Each case waits on a kubectl process: four at a time.
describe('go-templates against kubectl', { concurrency: 4 }, () => {
  for (const t of TEMPLATES) {
    test(`go-template ${JSON.stringify(t)}`, async () => {
      requireKubectl();
      assert.deepEqual(ours(t), await kubectl(t));
    });
  }
});

test('numbers: ints from JSON are int64, floats use Go %v formatting', () => {
  assert.equal(executeGoTemplate('{{.a}} {{.b}} {{.c}} {{.d}} {{printf "%T %T" .a .b}}', { a: 5, b: 1.5, c: 1e21, d: 1234567.5 }), '5 1.5 1e+21 1.2345675e+06 int64 float64');
});
