// Hostile inputs through the real CLI: each must end within the time bound, with a clean
// kubectl-style error (no stack trace, no raw JavaScript message), under the memory bound.
// Figures: cases tried, clean errors, hangs, crashes, peak memory (max RSS of any case).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT } from './corpus-util';
import { envFor, hasStackTrace } from './cli';

export interface HostileCase {
  name: string;
  args: string[];
  stdin?: string;
  /** The error text expected on stderr. */
  expect: RegExp;
}

export interface HostileFigures {
  tried: number;
  clean: number;
  hangs: string[];
  crashes: string[];
  unclear: string[];
  peakRssMb: number;
  slowestMs: number;
}

const RAW_JS = /Cannot read propert|Maximum call stack|is not a function|is not defined|undefined \(reading|^\s*at |\bE[A-Z]{2,}: [a-z]/m;

/** The inputs the cases read (in `dir`): a 100 MB file, a FIFO nobody writes, deep nesting, ... */
export function writeHostileInputs(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const big = join(dir, 'big100.yaml');
  if (!existsSync(big)) {
    const line = `# ${'x'.repeat(1000)}\n`;
    writeFileSync(big, line.repeat(Math.ceil((100 * 1024 * 1024) / line.length)));
  }
  const fifo = join(dir, 'fifo');
  if (!existsSync(fifo)) spawnSync('mkfifo', [fifo]);
  writeFileSync(join(dir, 'deep-flow.yaml'), 'a: ' + '['.repeat(200_000) + ']'.repeat(200_000) + '\n');
  writeFileSync(join(dir, 'deep-json.json'), '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000) + '}');
  let block = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n';
  for (let i = 0; i < 5000; i++) block += ' '.repeat(i + 1) + 'a:\n';
  writeFileSync(join(dir, 'deep-block.yaml'), block);
  const crd = (plural: string, s: string) =>
    `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: ${plural}.ex.com}\nspec:\n  group: ex.com\n  names: {kind: ${plural[0].toUpperCase()}${plural.slice(1, -1)}, plural: ${plural}}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec: {type: object, properties: {s: {type: string, pattern: '${s}'}}}\n`;
  // Applied by the test's set-up: a pattern that backtracks exponentially in a backtracking engine.
  writeFileSync(join(dir, 'widgets-crd.yaml'), crd('widgets', '^(a+)+$'));
  writeFileSync(join(dir, 'widget.yaml'), `apiVersion: ex.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {s: "${'a'.repeat(5000)}!"}\n`);
  writeFileSync(join(dir, 'bad-pattern-crd.yaml'), crd('gadgets', '(?=a)b'));
  writeFileSync(join(dir, 'unicode-quantity.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: u}\nspec: {containers: [{name: c, image: nginx, resources: {limits: {cpu: "\uff11"}}}]}\n');
  writeFileSync(join(dir, 'event-v1.yaml'), 'apiVersion: events.k8s.io/v1\nkind: Event\nmetadata: {name: e}\neventTime: "2026-12-07T00:00:00.000000Z"\nreportingController: a/b\nreportingInstance: i\naction: A\nreason: R\nregarding: pod/x\n');
  writeFileSync(join(dir, 'replicas.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big}\nspec:\n  replicas: 3000000000\n  selector: {matchLabels: {app: big}}\n  template:\n    metadata: {labels: {app: big}}\n    spec: {containers: [{name: c, image: nginx}]}\n');
}

export function hostileCases(dir: string): HostileCase[] {
  const f = (n: string) => join(dir, n);
  // The whole output: said once (an unreadable -f file used to be reported twice).
  const tooLarge = /^error: (open \S+: )?the input .+ is larger than the limit of \d+ bytes \(\d+ MiB\)\n$/;
  const deep = /exceeds the maximum nesting depth/;
  return [
    { name: 'apply -f /dev/zero', args: ['apply', '-f', '/dev/zero'], expect: tooLarge },
    { name: 'apply -f a 100 MB file', args: ['apply', '-f', f('big100.yaml')], expect: tooLarge },
    { name: 'apply -f a FIFO without writer', args: ['apply', '-f', f('fifo')], expect: /no objects passed to apply/ },
    { name: 'validate /dev/zero', args: ['validate', '/dev/zero'], expect: tooLarge },
    { name: 'validate a 100 MB file', args: ['validate', f('big100.yaml')], expect: tooLarge },
    { name: 'validate a FIFO without writer', args: ['validate', f('fifo')], expect: /no resources found/ },
    { name: 'create configmap --from-file=/dev/zero', args: ['create', 'configmap', 'z', '--from-file=/dev/zero'], expect: tooLarge },
    { name: 'create configmap --from-env-file=/dev/zero', args: ['create', 'configmap', 'z', '--from-env-file=/dev/zero'], expect: tooLarge },
    { name: 'patch --patch-file=/dev/zero', args: ['patch', 'configmap', 'kube-root-ca.crt', '--patch-file=/dev/zero'], expect: tooLarge },
    { name: 'get -o jsonpath-file=/dev/zero', args: ['get', 'pods', '-o', 'jsonpath-file=/dev/zero'], expect: tooLarge },
    // A read that fails (EIO): Go's errno text, never Node's "EIO: i/o error, read".
    { name: 'apply -f of a file whose read fails', args: ['apply', '-f', '/proc/self/mem'], expect: /^error: read \/proc\/self\/mem: input\/output error\n$/ },
    { name: 'validate of a file whose read fails', args: ['validate', '/proc/self/mem'], expect: /^error: cannot read \/proc\/self\/mem: input\/output error\n$/ },
    { name: '--patch-file whose read fails', args: ['patch', 'configmap', 'kube-root-ca.crt', '--patch-file=/proc/self/mem'], expect: /^error: unable to read patch file: open \/proc\/self\/mem: input\/output error\n$/ },
    { name: '-o jsonpath-file= whose read fails', args: ['get', 'pods', '-o', 'jsonpath-file=/proc/self/mem'], expect: /^error: error reading --template \/proc\/self\/mem, open \/proc\/self\/mem: input\/output error\n$/ },
    { name: 'apply -f - with 70 MB on stdin', args: ['apply', '-f', '-'], stdin: '#'.repeat(70 * 1024 * 1024), expect: tooLarge },
    { name: 'apply 200,000 nested flow brackets', args: ['apply', '-f', f('deep-flow.yaml')], expect: deep },
    { name: 'apply 100,000 nested JSON objects', args: ['apply', '-f', f('deep-json.json')], expect: deep },
    { name: 'apply 5,000 nested block mappings', args: ['apply', '-f', f('deep-block.yaml')], expect: deep },
    { name: 'validate 200,000 nested flow brackets', args: ['validate', f('deep-flow.yaml')], expect: deep },
    { name: 'run with a backtracking image name', args: ['run', 'x', `--image=${'a'.repeat(40)}!`], expect: /Invalid image name .*invalid reference format/ },
    { name: 'custom resource against a backtracking CRD pattern', args: ['apply', '-f', f('widget.yaml')], expect: /spec\.s: Invalid value: "a+!": spec\.s in body should match '\^\(a\+\)\+\$'/ },
    { name: 'CRD with a pattern RE2 refuses', args: ['apply', '-f', f('bad-pattern-crd.yaml')], expect: /pattern: Invalid value: "\(\?=a\)b": must be a valid regular expression, but isn't: error parsing regexp: invalid or unsupported Perl syntax: `\(\?=`/ },
    { name: 'replicas above int32', args: ['apply', '-f', f('replicas.yaml')], expect: /cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32/ },
    // A strategic merge patch's result is decoded from a map, which wraps an int64 into int32
    // (runtime.DefaultUnstructuredConverter): validation then refuses the negative count.
    { name: 'patch replicas above int32', args: ['patch', 'deployment', 'web', '-p', '{"spec":{"replicas":2147483648}}'], expect: /The Deployment "web" is invalid: spec\.replicas: Invalid value: -2147483648: must be greater than or equal to 0/ },
    { name: 'merge patch replicas above int32', args: ['patch', 'deployment', 'web', '--type=merge', '-p', '{"spec":{"replicas":2147483648}}'], expect: /The request is invalid: patch: Invalid value: ".*": json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32/ },
    { name: 'scale replicas above int32', args: ['scale', 'deployment', 'web', '--replicas=3000000000'], expect: /Error from server \(BadRequest\): Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal number 3000000000 into Go struct field ScaleSpec.spec.replicas of type int32/ },
    { name: 'a quantity of Unicode digits', args: ['apply', '-f', f('unicode-quantity.yaml')], expect: /Error from server \(BadRequest\): error when creating .*Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression/ },
    { name: 'events.k8s.io/v1 Event regarding a string', args: ['create', '-f', f('event-v1.yaml')], expect: /Event in version "v1" cannot be handled as a Event: json: cannot unmarshal string into Go struct field Event\.regarding of type v1\.ObjectReference/ },
    { name: 'clock advance 999999999h', args: ['clock', 'advance', '999999999h'], expect: /invalid duration/ },
    { name: 'clock advance 20 years', args: ['clock', 'advance', '175200h'], expect: /limited to 87600h/ },
    { name: 'clock speed 1e308', args: ['clock', 'speed', '1e308'], expect: /invalid speed "1e308": at most 1000000/ },
    { name: 'clock advance 1e308h', args: ['clock', 'advance', '1e308h'], expect: /invalid duration/ },
    { name: 'cluster create --nodes 1e9', args: ['cluster', 'create', 'huge', '--nodes', '1e9'], expect: /invalid --nodes/ },
    { name: 'cluster create --nodes 1000000', args: ['cluster', 'create', 'huge', '--nodes', '1000000'], expect: /at most 5000 nodes/ },
    { name: '--state-dir /proc', args: ['--state-dir', '/proc', 'get', 'pods'], expect: /cannot use \/proc.* as a state directory/ },
    { name: '--state-dir /sys/x', args: ['--state-dir', '/sys/x', 'cluster', 'create'], expect: /as a state directory/ },
    { name: 'go-template: 12 nested ranges (exponential)', args: ['get', 'deployment', 'web', '-o', 'go-template=' + '{{range $.metadata}}'.repeat(12) + 'xxxxxxxx' + '{{end}}'.repeat(12)], expect: /error executing template .*evaluation exceeds kubesim's limit of \d+ steps/ },
    { name: 'go-template: 20,000 nested parentheses', args: ['get', 'deployment', 'web', '-o', 'go-template={{' + '('.repeat(20_000) + '1' + ')'.repeat(20_000) + '}}'], expect: /error parsing template .*max expression depth exceeded/s },
    { name: 'go-template: 5,000 nested ifs', args: ['get', 'deployment', 'web', '-o', 'go-template=' + '{{if 1}}'.repeat(5000) + '{{end}}'.repeat(5000)], expect: /error parsing template .*max expression depth exceeded/s },
    { name: 'go-template: printf width 10^9', args: ['get', 'deployment', 'web', '-o', 'go-template={{printf "%0999999999d" 1}}'], expect: /error executing template .*size limit/ },
    { name: 'go-template: 100 MB of output', args: ['get', 'deployment', 'web', '-o', 'go-template={{range $.metadata}}{{printf "%040000000d" 1}}{{end}}'], expect: /error executing template .*output exceeds kubesim's limit/ },
    { name: 'jsonpath: 3,000 nested ranges', args: ['get', 'deployment', 'web', '-o', 'jsonpath=' + '{range ..}'.repeat(3000) + 'x' + '{end}'.repeat(3000)], expect: /error (parsing|executing) jsonpath/ },
    { name: 'jsonpath: 20 nested recursive ranges', args: ['get', 'deployment', 'web', '-o', 'jsonpath=' + '{range ..}'.repeat(20) + 'x' + '{end}'.repeat(20)], expect: /error executing jsonpath .*exceeds kubesim's limit/ },
    { name: 'get --sort-by: 20 nested recursive ranges', args: ['get', 'deployments', '--sort-by=' + '{range ..}'.repeat(20) + 'x' + '{end}'.repeat(20)], expect: /^error: evaluation exceeds kubesim's limit of \d+ steps\n$/ },
    { name: 'jsonpath: 20,000 nested filters', args: ['get', 'deployment', 'web', '-o', 'jsonpath={.metadata' + '[?(@.a'.repeat(20_000) + '}'], expect: /error parsing jsonpath/ },
    { name: 'get --chunk-size past int64', args: ['get', 'pods', '--chunk-size=99999999999999999999'], expect: /^Error: invalid argument "99999999999999999999" for "--chunk-size" flag: strconv.ParseInt: parsing "99999999999999999999": value out of range\n/ },
    { name: 'json patch: 60 copies doubling a value', args: ['patch', 'deployment', 'web', '--type=json', '-p', JSON.stringify(Array.from({ length: 60 }, (_, i) => ({ op: 'copy', from: '/metadata/labels', path: `/metadata/labels/d${i}` })))], expect: /The request is invalid/ },
  ];
}

export async function runHostile(home: string, cases: HostileCase[], boundMs: number): Promise<HostileFigures> {
  const fig: HostileFigures = { tried: 0, clean: 0, hangs: [], crashes: [], unclear: [], peakRssMb: 0, slowestMs: 0 };
  const rssFile = join(home, 'rss.txt');
  // A case still running when this process exits (the test timed out) is killed with it.
  let current: number | undefined;
  const killCurrent = () => current !== undefined && killGroup(current);
  process.on('exit', killCurrent);
  try {
    for (const c of cases) {
      fig.tried++;
      const t0 = Date.now();
      rmSync(rssFile, { force: true });
      const r = await runCase(c, home, rssFile, boundMs, (pid) => (current = pid));
      current = undefined;
      const ms = Date.now() - t0;
      fig.slowestMs = Math.max(fig.slowestMs, ms);
      try {
        fig.peakRssMb = Math.max(fig.peakRssMb, Math.round(Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024));
      } catch {
        /* killed before time wrote it */
      }
      const stderr = r.stderr + r.stdout;
      if (r.hung) fig.hangs.push(`${c.name} (${ms} ms)`);
      else if (r.overflow) fig.unclear.push(`${c.name}: more than ${MAX_OUTPUT} bytes of output`);
      else if (hasStackTrace(stderr) || RAW_JS.test(stderr)) fig.crashes.push(`${c.name}: ${stderr.slice(0, 300)}`);
      else if (r.code === 0 || !c.expect.test(stderr)) fig.unclear.push(`${c.name}: exit ${r.code}: ${stderr.slice(0, 300)}`);
      else fig.clean++;
    }
  } finally {
    killCurrent();
    process.off('exit', killCurrent);
  }
  return fig;
}

const MAX_OUTPUT = 16 << 20;

interface CaseRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Still running at the bound, or killed by a signal. */
  hung: boolean;
  overflow: boolean;
}

/**
 * One case under /usr/bin/time (for its peak memory), in a process group of its own: on a
 * hang, and after every case, the whole group is killed, so a kubesim stuck under `time` (or
 * anything it started) does not run on after the test.
 */
function runCase(c: HostileCase, home: string, rssFile: string, boundMs: number, started: (pid: number) => void): Promise<CaseRun> {
  return new Promise((resolve, reject) => {
    const p = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, process.execPath, BIN, ...c.args], { cwd: ROOT, env: envFor(home), detached: true, stdio: 'pipe' });
    const pid = p.pid;
    if (pid === undefined) return p.once('error', reject);
    started(pid);
    const out = { code: null as number | null, stdout: '', stderr: '', hung: false, overflow: false };
    const take = (key: 'stdout' | 'stderr') => (d: string) => {
      out[key] += d;
      if (out.stdout.length + out.stderr.length > MAX_OUTPUT && !out.overflow) {
        out.overflow = true;
        killGroup(pid);
      }
    };
    p.stdout.setEncoding('utf8').on('data', take('stdout'));
    p.stderr.setEncoding('utf8').on('data', take('stderr'));
    // EPIPE: the command refused its input before reading all of it (not a hang).
    p.stdin.on('error', (e: NodeJS.ErrnoException) => e.code === 'EPIPE' || reject(e));
    p.stdin.end(c.stdin ?? '');
    const timer = setTimeout(() => {
      out.hung = true;
      killGroup(pid);
    }, boundMs);
    p.once('close', (code, signal) => {
      clearTimeout(timer);
      killGroup(pid);
      resolve({ ...out, code, hung: out.hung || (signal !== null && !out.overflow) });
    });
  });
}

/** SIGKILL to the process group led by `pid`; a group already gone is fine. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}
