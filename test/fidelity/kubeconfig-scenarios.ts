// Differential scenarios for `config`: each is a sequence of command lines run in order by
// the real kubectl 1.32 and by kubesim's CLI (in a CLI host, test/helpers/cli-host.ts), each
// side in its own copy of the kubeconfig fixtures, with KUBECONFIG set as the scenario says
// (`@` is the copy's directory). Every command's stdout, stderr and exit code and, at the end,
// every file's content must be the same bytes once the copy's directory is written `DIR`
// (and kubesim's name kubectl's).

import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, KUBECTL, KUBECTL_GO_ENV, exec, normalise } from './differential';
import { CliHost } from '../helpers/cli-host';
import { words } from './cases';

export interface Scenario {
  name: string;
  /** Files copied in: name in the copy → fixture. */
  files: Record<string, string>;
  /** KUBECONFIG, `@` standing for the copy's directory; undefined: unset (~/.kube/config). */
  kubeconfig?: string;
  steps: string[];
}

const FULL = { config: 'kc-full.yaml' };
const PAIR = { a: 'kc-a.yaml', b: 'kc-b.yaml', 'kc-ca.pem': 'kc-ca.pem', 'kc-client.pem': 'kc-client.pem', 'kc-client.key': 'kc-client.key' };

export const SCENARIOS: Scenario[] = [
  {
    name: 'one file: write',
    files: FULL,
    kubeconfig: '@/config',
    steps: [
      'config use-context ctx',
      'config current-context',
      'config use-context nope',
      'config set-context --current --namespace=zz',
      'config set-context ctx --namespace=zz --current',
      'config set-context',
      'config set-context dev --cluster=c --user=u2',
      'config get-contexts',
      'config set-cluster c --server=https://new',
      'config set-cluster c2 --server=https://c2 --insecure-skip-tls-verify',
      'config set-cluster c3 --server=https://c3 --tls-server-name=n --proxy-url=http://p:3128',
      'config set-cluster c4 --embed-certs',
      'config set-credentials u --token=abc',
      'config set-credentials u4 --username=a --password=b',
      'config set-credentials u5 --token=x --username=y',
      'config set-credentials u6 --auth-provider=oidc --auth-provider-arg=client-id=foo,client-secret=bar',
      'config set-credentials u7 --exec-command=/bin/cred --exec-api-version=client.authentication.k8s.io/v1beta1 --exec-arg=a1 --exec-arg=a2 --exec-env=K=V',
      'config set clusters.10.0.0.1.server https://dotted',
      'config set clusters.c.insecure-skip-tls-verify maybe',
      'config set clusters.c.certificate-authority-data aGVsbG8=',
      "config set clusters.c.certificate-authority-data 'not base64!'",
      'config set users.u.client-key-data rawtext --set-raw-bytes',
      'config set preferences.colors true',
      'config set current-context dev',
      'config set foo bar',
      "config set current-context ''",
      'config unset contexts.dev.namespace',
      'config unset users.nope.token',
      'config unset users.u2',
      'config rename-context dev prod',
      'config rename-context nope x',
      'config delete-context prod',
      'config delete-cluster c2',
      'config delete-user u4',
      'config view --raw',
    ],
  },
  {
    name: 'a KUBECONFIG list: merge and write back where each stanza lives',
    files: PAIR,
    kubeconfig: '@/a:@/b:@/missing',
    steps: [
      'config view',
      'config view --flatten',
      'config view --minify --raw',
      'config get-contexts',
      'config current-context',
      'config use-context ca',
      'config set-cluster newc --server=https://n',
      'config set-cluster shared --server=https://x',
      'config set-credentials ub --token=tk',
      'config delete-cluster onlyb',
      'config unset current-context',
      'config current-context',
      'config view',
    ],
  },
  {
    name: 'a KUBECONFIG list of missing files: the last one is created',
    files: {},
    kubeconfig: '@/m1:@/sub/m2',
    steps: ['config view', 'config get-contexts', 'config current-context', 'config set-cluster x --server=https://n', 'config set-context y --cluster=x', 'config use-context y', 'config view'],
  },
  {
    name: 'no KUBECONFIG: ~/.kube/config',
    files: {},
    steps: ['config set-credentials admin --token=t', 'config set-context k --user=admin', 'config use-context k', 'config delete-context k'],
  },
  {
    name: '--kubeconfig: one file, no merging',
    files: PAIR,
    kubeconfig: '@/a',
    steps: [
      '--kubeconfig=b config view',
      'config view --merge=false',
      'config view --kubeconfig=b --merge=false',
      '--kubeconfig=b config use-context cb',
      'config set-cluster foo --certificate-authority=kc-ca.pem --embed-certs',
      'config set-credentials me --client-certificate=kc-client.pem --embed-certs=true',
      'config set-credentials me2 --client-key=nope.key --embed-certs',
      'config view --raw',
      'config set-context fresh --kubeconfig=new',
    ],
  },
  {
    // Verbs that need the cluster load the kubeconfig first (client-go's Load) and stop on its
    // error; kubesim's `get` used to fall back to its own cluster.
    name: 'a kubeconfig that cannot be loaded: a folder, a missing --kubeconfig file',
    files: FULL,
    kubeconfig: '@',
    steps: [
      'get pods',
      'get pod x -o name',
      'create configmap a --from-literal=a=b',
      'api-resources',
      'version',
      'config view',
      'config current-context',
      '--kubeconfig=nope get pods',
      '--kubeconfig=nope apply -f config',
      '--kubeconfig=nope version',
      '--kubeconfig=nope config view',
      '--kubeconfig=. delete pod x',
    ],
  },
];

/** Every file under dir (but kubesim's own state), as `=== name` and the content. */
function files(dir: string, rel = ''): string {
  let text = '';
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (r === '.kubesim' || r === '.cache') continue;
    if (statSync(join(dir, r)).isDirectory()) text += files(dir, r);
    else text += `=== ${r} (mode ${(statSync(join(dir, r)).mode & 0o777).toString(8)})\n${readFileSync(join(dir, r), 'utf8')}`;
  }
  return text;
}

/** The transcript of a scenario on one side: every step's outcome, then the files. */
export async function runScenario(s: Scenario, side: 'kubectl' | 'kubesim', cacheHome: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), `kubesim-kcfid-${side}-`));
  try {
    for (const [name, fixture] of Object.entries(s.files)) copyFileSync(join(FIXTURES, fixture), join(dir, name));
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin', HOME: dir, TZ: 'UTC', LANG: 'C.UTF-8', NO_COLOR: '1', KUBESIM_HOME: join(dir, '.kubesim'), KUBESIM_NO_DAEMON: '1', XDG_CACHE_HOME: cacheHome };
    if (s.kubeconfig !== undefined) env.KUBECONFIG = s.kubeconfig.replace(/@/g, dir);
    const out: string[] = [];
    const clean = (t: string) => normalise(t.split(dir).join('DIR'), side === 'kubesim');
    // kubesim's steps in one CLI host, started in the copy's directory with its environment.
    const host = side === 'kubesim' ? new CliHost({ cwd: dir, env, timeoutMs: 30_000 }) : undefined;
    try {
      for (const step of s.steps) {
        const args = words(step);
        const o = host ? await host.run(args) : await exec(KUBECTL, args, { ...env, ...KUBECTL_GO_ENV }, dir);
        out.push(`$ ${step}\nexit ${o.code}\n--- stdout\n${clean(o.stdout)}--- stderr\n${clean(o.stderr)}`);
      }
    } finally {
      host?.stop();
    }
    out.push(clean(files(dir)));
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
