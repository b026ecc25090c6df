// The argument sets the differential suite runs through both the real kubectl 1.32 and
// kubesim. Every one runs offline: client-side generators with --dry-run=client, `--local`
// mutators on the files in fixtures/, printers, and flag/argument errors. Commands that
// need an API server (create -f, role generators, expose, get...) are left out; the suite
// fails if kubectl tries to reach one, so the table stays honest.

/** Splits like a shell would for these simple lines: spaces, and '...' groups. */
export function words(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let any = false;
  for (const c of line) {
    if (c === "'") {
      quoted = !quoted;
      any = true;
    } else if (c === ' ' && !quoted) {
      if (any) out.push(cur);
      cur = '';
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any) out.push(cur);
  return out;
}

const DRY = '--dry-run=client';

/** Generators with the arguments that make each one valid. */
const GENERATORS = [
  'create namespace n1',
  'create deployment web --image=nginx',
  'create deployment web --image=nginx --replicas=3 --port=80',
  'create deployment web --image=nginx --image=redis:7',
  'create deployment web --image=nginx -- sleep 10',
  'create configmap cm1 --from-literal=a=b --from-literal=c=d',
  'create configmap cm1 --from-file=data.txt',
  'create configmap cm1 --from-file=k=data.txt --from-env-file=app.env',
  'create cm cm1 --from-literal=x=1',
  'create secret generic s1 --from-literal=k=v',
  'create secret generic s1 --from-file=data.txt --type=Opaque',
  'create secret generic s1 --from-env-file=app.env',
  'create secret docker-registry reg --docker-username=u --docker-password=p --docker-server=r.io',
  'create service clusterip svc1 --tcp=80:8080',
  'create service clusterip svc1 --clusterip=None',
  'create service nodeport svc1 --tcp=80:8080 --node-port=30080',
  'create service loadbalancer lb --tcp=80',
  'create service externalname ex --external-name=example.com',
  'create svc clusterip svc2 --tcp=443',
  'create serviceaccount sa1',
  'create sa sa1',
  'create rolebinding rb --role=r --user=u --serviceaccount=ns:sa',
  'create clusterrolebinding crb --clusterrole=c --group=g',
  "create cronjob cj --image=busybox --schedule='*/1 * * * *'",
  "create cronjob cj --image=busybox --schedule='0 0 * * *' --restart=Never -- echo hi",
  'create job j --image=busybox',
  'create job j --image=busybox -- date',
  'create ingress ing --rule=foo.com/bar=svc:80',
  'create ingress ing --class=nginx --rule=foo.com/*=svc:8080,tls=secret1',
  'create pdb p --selector=app=x --min-available=1',
  'create pdb p --selector=app=x --max-unavailable=50%',
  'create priorityclass pc --value=100 --description=d',
  'create quota q --hard=pods=10,cpu=2',
  'create quota q --hard=pods=2 --scopes=BestEffort',
];

const OUTPUTS = ['', '-o yaml', '-o json', '-o name', "-o jsonpath='{.metadata.name}'", "-o go-template='{{.kind}}/{{.metadata.name}}'"];

/** Spellings of -o that pflag accepts, and those it refuses. */
const OUTPUT_SPELLINGS = ['-oyaml', '-o=yaml', '--output yaml', '--output=yaml', '-o=name', '-oname', '-ojson', '-o=json', '--output=name', '-o yaml -o name'];

const FILE_MUTATORS = [
  'set image --local -f deploy.yaml web=nginx:2',
  "set image --local -f deploy.yaml '*=nginx:3'",
  'set image --local -f pod.json c1=busybox:2 c2=nginx:2',
  'set image --local -f sts.yaml init=busybox:2',
  'set env --local -f deploy.yaml A=1 B=2',
  'set env --local -f deploy.yaml -c web A=1',
  'set env --local -f pod.json --from=configmap/x',
  'set env --local -f multi.yaml MODE-',
  'set env --local -f deploy.yaml --env=X=y',
  'set resources --local -f deploy.yaml --limits=cpu=200m,memory=512Mi',
  'set resources --local -f deploy.yaml --requests=cpu=100m',
  'set resources --local -f sts.yaml -c db --limits=cpu=1',
  'set serviceaccount --local -f deploy.yaml builder',
  'set sa --local -f pod.json builder',
  'set selector --local -f svc.yaml app=other',
  'label --local -f deploy.yaml env=prod',
  'label --local -f deploy.yaml app-',
  'label --local -f deploy.yaml app=x --overwrite',
  'label --local -f pod.json a=b c=d',
  'label --local -f cm.yaml tier-',
  'label --local -f multi.yaml team=x',
  'label --local -f list.yaml x=y',
  'annotate --local -f deploy.yaml note=hello',
  'annotate --local -f pod.json note-',
  'annotate --local -f pod.json note=y --overwrite',
  'annotate --local -f cm.yaml owner=bob --overwrite',
  'annotate --local -f multi.yaml a=b',
  "patch --local -f deploy.yaml -p '{\"spec\":{\"replicas\":2}}'",
  "patch --local -f deploy.yaml --type=merge -p '{\"metadata\":{\"labels\":{\"x\":\"y\"}}}'",
  "patch --local -f deploy.yaml --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3}]'",
  'patch --local -f deploy.yaml --patch-file=patch-merge.yaml',
  'patch --local -f deploy.yaml --type=json --patch-file=patch-json.json',
  "patch --local -f cm.yaml -p '{\"data\":{\"b\":\"2\"}}'",
  'set subject --local -f rb.yaml --user=bob',
  'set subject --local -f rb.yaml --group=devs --serviceaccount=team-a:builder',
];

const MUTATOR_OUTPUTS = ['', '-o yaml', '-o json', '-o name', "-o jsonpath='{.metadata.name}'", "-o go-template='{{.metadata.name}}'"];

/** Flag spellings and values pflag and kubectl's flag types decide. */
const FLAG_FORMS = [
  `create namespace n1 --dry-run`,
  `create namespace n1 --dry-run -o yaml`,
  `create namespace n1 --dry-run=true -o name`,
  `create namespace n1 --dry-run=bogus`,
  `create namespace n1 --dry-run=client --save-config=true -o yaml`,
  `create namespace n1 --dry-run=client --save-config=false -o yaml`,
  `create namespace n1 --dry-run=client --save-config -o yaml`,
  `create deployment web --image=nginx --dry-run=client --replicas=abc`,
  `create deployment web --image=nginx --dry-run=client --replicas=-1`,
  `create deployment web --image=nginx --dry-run=client --port=abc`,
  `create deployment web --image=nginx --dry-run=client --port=99999`,
  `create deployment web --dry-run=client`,
  `create deployment --image=nginx --dry-run=client`,
  `create deployment a b --image=nginx --dry-run=client`,
  `create namespace --dry-run=client`,
  `create namespace a b --dry-run=client`,
  `create configmap cm --from-literal=noequals --dry-run=client`,
  `create configmap cm --from-file=missing.txt --dry-run=client`,
  `create secret generic s --from-literal=k --dry-run=client`,
  `create secret docker-registry reg --dry-run=client`,
  `create service clusterip svc1 --tcp=abc --dry-run=client`,
  `create service nodeport svc1 --tcp=80 --node-port=abc --dry-run=client`,
  `create cronjob cj --image=busybox --dry-run=client`,
  `create job j --dry-run=client`,
  `create pdb p --dry-run=client`,
  `create pdb p --selector=app=x --min-available=1 --max-unavailable=1 --dry-run=client`,
  `create priorityclass pc --value=abc --dry-run=client`,
  `create quota q --hard=pods=abc --dry-run=client`,
  `create ingress ing --rule=bad --dry-run=client`,
  `run --image=nginx --dry-run=client`,
  `run web --dry-run=client`,
  `run web --image=nginx --restart=Sometimes --dry-run=client`,
  `run web --image=nginx --port=abc --dry-run=client`,
  `run web --image=nginx --rm --dry-run=client`,
  `run web --image=nginx -i -t --dry-run=client`,
  `run web --image=nginx -t --dry-run=client`,
  `run web --image=nginx --labels=bad --dry-run=client`,
  `label --local -f deploy.yaml app=x`,
  `label --local -f deploy.yaml app=x --overwrite=true -o yaml`,
  `label --local -f deploy.yaml app=x --overwrite=false`,
  `label --local -f deploy.yaml`,
  `label --local -f deploy.yaml 'bad key=x'`,
  `label --local -f deploy.yaml a=b a=c`,
  `label --local -f deploy.yaml a=b c`,
  `label --local -f deploy.yaml --list`,
  `label --local=true -f deploy.yaml z=1 -o name`,
  `label --local -f deploy.yaml z=1 --dry-run=client`,
  `label --local -f deploy.yaml z=1 -o wide`,
  `annotate --local -f pod.json note=z`,
  `annotate --local -f pod.json note=z --overwrite=true -o yaml`,
  `annotate --local -f pod.json`,
  `annotate --local -f pod.json --list`,
  `set image --local -f deploy.yaml`,
  `set image --local -f deploy.yaml nosuch=img`,
  `set image --local -f deploy.yaml web`,
  `set image --local deploy/web web=x`,
  `set env --local -f deploy.yaml`,
  `set env --local -f deploy.yaml --list`,
  `set env --local -f deploy.yaml 1BAD=x`,
  `set env --local -f deploy.yaml A=1 --overwrite=false`,
  `set resources --local -f deploy.yaml`,
  `set resources --local -f deploy.yaml --limits=cpu=abc`,
  `set resources --local -f deploy.yaml --limits=cpu`,
  `set resources --local -f deploy.yaml --requests=memory=1Gi --limits=memory=512Mi`,
  `set resources --local -f svc.yaml --limits=cpu=1`,
  `set selector --local -f deploy.yaml app=x`,
  `set subject --local -f rb.yaml`,
  `set subject --local -f rb.yaml --user=alice`,
  `set subject --local -f rb.yaml --serviceaccount=bad`,
  `set subject --local -f deploy.yaml --user=x`,
  `set subject --local rolebinding/readers --user=x`,
  `set env --local -f deploy.yaml -e A=1 --env=B=2`,
  `label --local -f deploy.yaml x=y --no-headers`,
  `create namespace n1 --dry-run=client --validate=TRUE -o name`,
  `patch --local -f deploy.yaml`,
  `patch --local -f deploy.yaml -p '{bad'`,
  `patch --local -f deploy.yaml --type=bogus -p '{}'`,
  `patch --local -f deploy.yaml -p '{}' -o yaml`,
  `patch --local -f deploy.yaml --type=json -p '[{"op":"remove","path":"/nope"}]'`,
  `patch --local -f deploy.yaml -p '{"spec":{"replicas":2}}' --dry-run=client`,
  `patch --local -f deploy.yaml -p '{"spec":{"replicas":2}}' --dry-run=server`,
  `set image --local -f deploy.yaml web=x --dry-run=server`,
  `set env --local -f multi.yaml A=1 -o yaml`,
  `set image --local -f multi.yaml api=x once=y -o yaml`,
  `label --local -f deploy.yaml -f cm.yaml x=y -o yaml`,
  `label --local -f deploy.yaml -f cm.yaml x=y -o json`,
  `label --local -f deploy.yaml -f cm.yaml x=y -o name`,
  `label --local -f multi.yaml x=y -o json`,
  `label --local -f list.yaml x=y -o yaml`,
  `annotate --local -f multi.yaml -f pod.json a=b -o yaml`,
  `label --local -f deploy.yaml x=y -o custom-columns=NAME:.metadata.name`,
  `label --local -f deploy.yaml x=y -o jsonpath-file=tmpl.jsonpath`,
  `label --local -f deploy.yaml x=y -o go-template-file=tmpl.gotmpl`,
  `label --local -f deploy.yaml x=y -o jsonpath-as-json='{.metadata.labels}'`,
  `label --local -f deploy.yaml x=y -o template='{{.metadata.name}}'`,
  `label --local -f deploy.yaml x=y -o go-template --template='{{.kind}}'`,
  `label --local -f deploy.yaml x=y --template='{{.kind}}'`,
  `label --local -f deploy.yaml x=y -o go-template='{{.nope}}'`,
  `label --local -f deploy.yaml x=y -o go-template='{{.nope}}' --allow-missing-template-keys=false`,
  `label --local -f deploy.yaml x=y -o jsonpath='{.nope}'`,
  `label --local -f deploy.yaml x=y -o jsonpath='{.nope}' --allow-missing-template-keys=false`,
  `label --local -f deploy.yaml x=y -o jsonpath='{.metadata.name'`,
  `label --local -f deploy.yaml x=y -o jsonpath=`,
  `label --local -f deploy.yaml x=y -o go-template='{{.kind'`,
  `label --local -f deploy.yaml x=y -o yaml --show-managed-fields`,
  `label --local -f deploy.yaml x=y -o bogus`,
  `create deployment web --image=nginx --dry-run=client -o wide`,
  `create deployment web --image=nginx --dry-run=client -o custom-columns=N:.metadata.name`,
  `create deployment web --image=nginx --dry-run=client -o bogus`,
  `create deployment web --image=nginx --dry-run=client -o go-template --template='{{.kind}}'`,
  `create deployment web --image=nginx --dry-run=client -o yaml --show-managed-fields`,
  `create deployment web --image=nginx --dry-run=client -o jsonpath='{.nope}' --allow-missing-template-keys=false`,
  `create namespace n1 --dry-run=client -o jsonpath-as-json='{.metadata}'`,
  `create namespace n1 --dry-run=client -o jsonpath-file=tmpl.jsonpath`,
  `create namespace n1 --dry-run=client -o go-template-file=tmpl.gotmpl`,
  `create namespace n1 --dry-run=client -o go-template-file=missing.tmpl`,
  `create namespace n1 --dry-run=client -o=go-template='{{.metadata.name}}'`,
];

/** Errors cobra and pflag report before a verb runs. */
const PARSE_ERRORS = [
  'create namespace n1 --foo',
  'create namespace n1 --foo=bar',
  'create namespace n1 -Z',
  'create namespace n1 -o',
  'create deployment web --image',
  'create deployment web --image=nginx --dry-run=client --bogus',
  'create --foo',
  'label --local -f deploy.yaml a=b --foo',
  'label --local -f deploy.yaml a=b -Q',
  'annotate --nope',
  'set image --local -f deploy.yaml web=x --foo',
  'set env --nope',
  'set resources --nope',
  'patch --local -f deploy.yaml --nope',
  'set --foo',
  'gett pods',
  'craete namespace x',
  'lable pods x',
  'nosuchverb',
  'creat',
  'create nosuch',
  'set nosuch',
  'set',
  'create',
  'label',
  'annotate',
  'patch',
  'set image',
  'set env',
  'set resources',
  'run',
  'label --local',
  'annotate --local',
  'patch --local',
  'set image --local',
  'set env --local',
  'set resources --local',
  'label --local -f nosuch.yaml a=b',
  'annotate --local -f nosuch.yaml a=b',
  'set image --local -f nosuch.yaml a=b',
  'patch --local -f nosuch.yaml -p {}',
  'label --local -f data.txt a=b',
  'create namespace n1 --dry-run=client --validate=bogus',
  'create namespace n1 --dry-run=client --save-config=maybe',
  'label --local -f deploy.yaml a=b --overwrite=maybe',
  'label --local -f deploy.yaml a=b --local=maybe',
  'create deployment web --image=nginx --replicas --dry-run=client',
  'create namespace n1 --dry-run=client --field-manager',
];

/** The shared flag groups (PrintFlags, dry-run, DeleteFlags) and the checks of the verbs using them, before any request. */
const FLAG_GROUPS = [
  'get pods --output-watch-events',
  'get pods -w --output-watch-events=maybe',
  'scale --replicas=-1 deploy/x',
  'scale deploy/x',
  'scale -A --replicas=1 deploy',
  'exec x',
  'events --chunk-size=abc',
  'wait --local deploy/x --for=delete',
  'describe -f nope.yaml',
  'describe --chunk-size=x pods',
  'describe -f deploy.yaml -k .',
  'certificate approve',
  'certificate approve -k . -f deploy.yaml',
  'scale --replicas=2 --current-replicas=-5 deploy/x',
  'delete pods x --now --grace-period=5',
  'delete pods x --cascade=bogus',
  'delete pods x --dry-run=bogus',
  'delete',
  'delete --cascade=bogus',
  'delete --dry-run=bogus',
  'delete --now --grace-period=3',
  'delete --force --grace-period=0',
  'replace',
  'apply -f deploy.yaml --subresource=status',
  'apply -f deploy.yaml --dry-run=client --server-side',
  'apply -f deploy.yaml --force-conflicts',
  'apply -f deploy.yaml --prune',
  'rollout undo deploy/x --dry-run=bogus',
  'rollout restart deploy/x --dry-run=bogus',
  'taint nodes x a=b:NoSchedule --dry-run=bogus',
  'taint nodes x a=b:NoSchedule --validate=bogus',
  "patch --local -f deploy.yaml -p '{}' --subresource=status",
  'scale --replicas=2 deploy/x --dry-run=maybe',
  'label --local -f deploy.yaml a=b --dry-run --template={{.kind}}',
  'annotate --local -f deploy.yaml a=b --dry-run=client --template={{.metadata.name}}',
  'set image --local -f deploy.yaml web=x --dry-run=client --show-managed-fields -o yaml',
];

/** `debug`: kubectl's DebugOptions.Validate, which runs before anything is fetched. */
const DEBUG = [
  'debug',
  'debug mypod',
  'debug mypod --image=busybox --copy-to=x --target=c',
  'debug mypod --image=busybox -t',
  'debug mypod --image=busybox --image-pull-policy=Sometimes',
  'debug mypod --replace',
  'debug mypod --same-node',
  'debug mypod --set-image=a=b',
  "debug mypod --image='Bad Image'",
  'debug mypod --attach --container=',
  'debug mypod --copy-to=x',
  'debug mypod --copy-to=x -- sh',
  'debug mypod --image=busybox --profile=bogus',
  'debug --image=busybox',
];

/** YAML and document errors on the --local path. */
const YAML_CASES = ['bad-flow.yaml', 'bad-nested-flow.yaml', 'bad-then-more.yaml', 'bad-indent.yaml', 'dup-key.yaml', 'comment-only.yaml', 'empty.yaml', 'tab.yaml', 'no-apiversion.yaml', 'no-kind.yaml'].flatMap((f) => [
  `label --local -f ${f} x=y -o yaml`,
  `annotate --local -f ${f} x=y`,
  `set image --local -f ${f} a=b`,
  `set env --local -f ${f} A=1 -o name`,
]);

/**
 * How kubectl's Builder decodes --local files (lenient YAML, go-yaml's per-document line
 * numbers, the unstructured decoder of label/annotate/patch and the typed one of set) and how
 * CheckErr prints what a verb collected (one error, or an aggregate one per line).
 */
const DECODE_AND_AGGREGATES = [
  // One unknown container: with two, kubectl's order is a Go map's iteration order (random).
  'set image --local -f deploy.yaml a=x web=y',
  'set image --local -f deploy.yaml -f no-kind.yaml web=x',
  'set env --local -f multi.yaml -c nope A=1 -o name',
  'set resources --local -f multi.yaml -c nope --limits=cpu=1 -o name',
  'set sa --local -f data.txt x',
  'set subject --local -f no-apiversion.yaml --user=x',
  `patch --local -f dup-key.yaml --type=merge -p '{"data":{"b":"2"}}' -o yaml`,
  'label --local -f partial.yaml x=y -o name',
  'label --local -f partial.yaml -f data.txt -f deploy.yaml app=x',
  'annotate --local -f partial.yaml -f bad-flow.yaml a=b -o name',
  'set env --local -f deploy.yaml --env=C= -o yaml',
  "create configmap c --from-literal=a=1 --dry-run=client -o go-template='{{.data.b}}' --allow-missing-template-keys=false",
  "set image --local -f deploy.yaml web=x -o go-template='{{.nope}}' --allow-missing-template-keys=false",
  `label --local -f deploy.yaml x=y -o go-template='{{index .metadata "nope"}}' --allow-missing-template-keys=false`,
  'create namespace n1 --dry-run client',
  'create deployment web --dry-run --image=nginx -o name',
];

/**
 * Help goes to stdout and exits 0: every command whose help matches kubectl's byte for byte
 * (the others, and why, are listed in bench/RESULTS.md).
 */
const HELP_COMMANDS = [
  'create clusterrole',
  'create clusterrolebinding',
  'create configmap',
  'create cronjob',
  'create deployment',
  'create ingress',
  'create job',
  'create namespace',
  'create poddisruptionbudget',
  'create priorityclass',
  'create quota',
  'create role',
  'create rolebinding',
  'create secret docker-registry',
  'create secret generic',
  'create secret tls',
  'create service clusterip',
  'create service externalname',
  'create service loadbalancer',
  'create service nodeport',
  'create serviceaccount',
  'set',
  'set image',
  'set subject',
  'rollout',
  'rollout history',
  'rollout pause',
  'rollout restart',
  'rollout resume',
  'rollout status',
  'rollout undo',
  'certificate',
  'auth',
  'auth reconcile',
  'diff',
  'create secret',
  'create service',
  'apply edit-last-applied',
  'apply set-last-applied',
  'apply view-last-applied',
  'cordon',
  'uncordon',
  'drain',
  'annotate',
  'version',
  'cluster-info',
  'api-resources',
  'explain',
  'top',
  'top node',
  'top pod',
  'taint',
  'scale',
  'exec',
  'port-forward',
  'cp',
  'events',
  'wait',
  'patch',
  'logs',
  'describe',
  'config',
  'config current-context',
  'config delete-cluster',
  'config delete-context',
  'config delete-user',
  'config get-clusters',
  'config get-contexts',
  'config get-users',
  'config rename-context',
  'config set',
  'config set-cluster',
  'config set-context',
  'config set-credentials',
  'config unset',
  'config use-context',
  'config view',
  'api-versions',
  'certificate approve',
  'certificate deny',
  'label',
];
const HELP = [...HELP_COMMANDS.map((c) => `${c} --help`), 'create deployment -h'];

/** A group without its sub-command, or with an unknown one (cmdutil.DefaultSubCommandRun; certificate prints its help). */
const GROUPS = ['create secret', 'create service', 'auth', 'certificate', 'config', 'top', 'plugin'].flatMap((g) => [g, `${g} bogus`]).filter((c) => !['config', 'top', 'plugin'].includes(c));

/**
 * diff's, auth reconcile's and apply's last-applied sub-commands' checks before any request:
 * CheckDiffErr's exit code 2 and usage-style flag errors, the prune allowlist parsed first.
 */
const DIFF_AND_FRIENDS = [
  'diff',
  'diff --prune',
  'diff x -f deploy.yaml',
  'diff -f deploy.yaml -k dir',
  'diff -f nope.yaml',
  'diff -f deploy.yaml --force-conflicts',
  'diff --concurrency=abc -f deploy.yaml',
  'diff --validate=false -f deploy.yaml',
  'diff -f deploy.yaml --show-managed-fields=maybe',
  'diff -f deploy.yaml --server-side --force-conflicts=false --field-manager',
  'diff -f deploy.yaml --prune --prune-allowlist=a/b/c/d',
  'diff -f nope.yaml --prune --prune-allowlist=a/b/c/d',
  'diff -f bad-flow.yaml --bogus',
  'apply -f deploy.yaml --prune --all --prune-allowlist=a/b/c/d',
  'apply -f deploy.yaml --prune --prune-allowlist=a/b/c/d',
  'auth reconcile',
  'auth reconcile --dry-run=bogus',
  'auth reconcile -f rb.yaml --dry-run=bogus',
  'auth reconcile -f deploy.yaml -k dir',
  'auth reconcile --foo',
  'auth reconcile -f rb.yaml -o wide',
  'apply set-last-applied',
  'apply set-last-applied -f deploy.yaml --dry-run=bogus',
  'apply view-last-applied',
  'apply view-last-applied --bogus',
  'apply edit-last-applied',
  'apply edit-last-applied --windows-line-endings=maybe',
];

/** rollout's offline answers: help, the group without a sub-command, flag and argument errors. */
const ROLLOUT = [
  'rollout',
  'rollout --help',
  'rollout bogus',
  ...['status', 'history', 'undo', 'restart', 'pause', 'resume'].flatMap((v) => [`rollout ${v} --help`, `rollout ${v}`, `rollout ${v} deploy/x --bogus`, `rollout ${v} deploy/x --local`]),
  'rollout status --revision=abc deploy/x',
  'rollout status -w=maybe deploy/x',
  'rollout status --timeout=5 deploy/x',
  'rollout status --timeout deploy/x',
  'rollout history --revision=-1 deploy/x',
  'rollout history --revision=x deploy/x',
  'rollout undo --to-revision=x deploy/x',
  'rollout undo deploy/x --dry-run=bogus',
  'rollout restart deploy/x --dry-run=client',
  'rollout pause deploy/x -o',
  'rollout undo -f nosuch.yaml',
  'rollout history -f nosuch.yaml',
  'rollout resume -f deploy.yaml -k dir',
];

/** `config` reading kubeconfig fixtures (the writing subcommands: kubeconfig-scenarios.ts). */
const KUBECONFIG_READS = [
  ...['kc-full.yaml', 'kc-b.yaml'].flatMap((f) => [
    `config view --kubeconfig=${f}`,
    `config view --kubeconfig=${f} -o json`,
    `config view --kubeconfig=${f} --raw`,
    `config view --kubeconfig=${f} --flatten`,
    `config view --kubeconfig=${f} --minify`,
    `config get-contexts --kubeconfig=${f}`,
    `config get-users --kubeconfig=${f}`,
    `config current-context --kubeconfig=${f}`,
  ]),
  "config view --kubeconfig=kc-full.yaml -o jsonpath='{.users[*].name}'",
  "config view --kubeconfig=kc-full.yaml -o jsonpath='{.clusters[0].cluster.server}'",
  "config view --kubeconfig=kc-full.yaml --template='{{range .contexts}}{{.name}} {{end}}'",
  'config view --kubeconfig=kc-full.yaml -o name',
  'config view --kubeconfig=kc-full.yaml -o wide',
  'config view --kubeconfig=kc-full.yaml -o yaml --raw',
  'config view --kubeconfig=kc-full.yaml --minify --context=ctx --raw',
  'config view --kubeconfig=kc-full.yaml --minify --context=nope',
  'config view --kubeconfig=kc-full.yaml --merge=false',
  'config view --kubeconfig=kc-b.yaml --minify --flatten',
  'config view --kubeconfig=kc-a.yaml --minify -o json',
  'config view --kubeconfig=nosuch.yaml',
  'config view extra',
  'config view',
  'config view --merge=false',
  'config get-contexts',
  'config get-contexts -o name',
  'config get-contexts --kubeconfig=kc-full.yaml ctx nope',
  'config get-contexts --kubeconfig=kc-full.yaml nope',
  'config get-contexts --kubeconfig=kc-full.yaml -o name',
  'config get-contexts --kubeconfig=kc-full.yaml --no-headers',
  'config get-contexts --kubeconfig=kc-full.yaml -o wide',
  'config get-clusters --kubeconfig=kc-full.yaml',
  'config get-clusters',
  'config get-users',
  'config current-context',
  'config current-context --kubeconfig=kc-a.yaml',
  'plugin list',
  'plugin list --name-only',
];

/** Every base with every suffix; flags go before a base's ` -- ` (after it they are args). */
function cross(bases: string[], suffixes: string[], extra = ''): string[] {
  return bases.flatMap((b) =>
    suffixes.map((s) => {
      const dash = b.indexOf(' -- ');
      const [head, tail] = dash >= 0 ? [b.slice(0, dash), b.slice(dash)] : [b, ''];
      return [head, extra, s].filter(Boolean).join(' ') + tail;
    }),
  );
}

export function allCases(): string[][] {
  const lines = [
    ...cross(GENERATORS, OUTPUTS, DRY),
    ...cross(['create namespace n1', 'create deployment web --image=nginx', 'create secret generic s --from-literal=a=b', 'create configmap c --from-literal=a=b'], OUTPUT_SPELLINGS, DRY),
    ...cross(FILE_MUTATORS, MUTATOR_OUTPUTS),
    ...cross(['set image --local -f deploy.yaml web=x', 'label --local -f pod.json z=1', 'patch --local -f cm.yaml -p {}'], OUTPUT_SPELLINGS),
    ...FLAG_FORMS,
    ...PARSE_ERRORS,
    ...YAML_CASES,
    ...DECODE_AND_AGGREGATES,
    ...FLAG_GROUPS,
    ...DEBUG,
    ...HELP,
    ...DIFF_AND_FRIENDS,
    ...GROUPS,
    ...ROLLOUT,
    ...KUBECONFIG_READS,
  ];
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const l of lines) {
    if (seen.has(l)) continue;
    seen.add(l);
    out.push(words(l));
  }
  return out;
}
