// The argument sets the differential suite runs through both the real kubectl 1.32 and
// kubesim. Every one runs offline: client-side generators with --dry-run=client, `--local`
// mutators on the files in fixtures/, printers, and flag/argument errors. Commands that
// need an API server (create -f, role generators, expose, get...) are left out; the suite
// fails if kubectl tries to reach one, so the table stays honest.

import { DECODE_CASES } from './cases-decode';
import { HELP, GROUPS, LISTED_FLAGS, SET_FLAGS, RAW_REQUESTS, PROGRAM_NAME, KUSTOMIZE_FLAGS, DIFF_AND_FRIENDS, ROLLOUT, KUBECONFIG_READS } from './cases-commands';

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
  'set image --local -f zero-fields.yaml c=nginx:2',
  'set env --local -f zero-fields.yaml A=1',
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
  // ParseQuantity's own error (the suffix one here), and its String(): `+1` and `1.` kept as written.
  `create quota q --hard=cpu=1ki --dry-run=client`,
  `create quota q --hard=cpu=+1,memory=1.,pods=1000m --dry-run=client -o yaml`,
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
  // A quantity kubectl writes in a form that would print otherwise once parsed again (2000000, not 2M).
  `set resources --local -f deploy.yaml --limits=memory=1953.125Ki,cpu=1500m --requests=memory=1.5Gi,cpu=0.5 -o yaml`,
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
  // With --template given, no printer splits `-o FORMAT=VALUE` (get's cases: test/server/kubectl.test.ts).
  'label --local -f deploy.yaml x=y -o template={{.kind}} --template={{.metadata.name}}',
  'get pods --output-watch-events',
  'get pods -w --output-watch-events=maybe',
  'scale --replicas=-1 deploy/x',
  'scale deploy/x',
  'scale -A --replicas=1 deploy',
  'exec x',
  'events --chunk-size=abc',
  'get pods --chunk-size=abc',
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
  // The --keep-* flags (read only with --copy-to) and -f without -R.
  'debug mypod --keep-labels=maybe --image=busybox',
  'debug mypod -R --image=busybox',
  'debug --keep-init-containers=false --keep-startup --copy-to=x',
  'debug mypod --keep-annotations --replace --image=busybox',
  'debug -f pod.json --keep-liveness --keep-readiness=true -t --image=busybox',
  // --env and --set-image are pflag StringToString: a use without '=' is a flag error
  'debug mypod --image=busybox --env=X',
  'debug mypod --copy-to=x --set-image=a=b,c',
  'debug mypod --copy-to=x --set-image=noeq',
];

/** apply's DeleteFlags, --overwrite and --openapi-patch: parsed, then ToOptions' and Validate's checks in kubectl's order. */
const APPLY_FLAGS = [
  'apply -f cm.yaml --cascade=bogus',
  'apply -f cm.yaml --force --server-side',
  'apply -f cm.yaml --force --dry-run=server',
  'apply -f cm.yaml --force --prune --all',
  'apply -f cm.yaml --all -l a=b',
  'apply -f cm.yaml --cascade=true --force --server-side',
  'apply -f cm.yaml --cascade=false --force --server-side',
  'apply -f cm.yaml --cascade --force --server-side',
  'apply -f cm.yaml --grace-period=x',
  'apply -f cm.yaml --timeout=5',
  'apply -f cm.yaml --overwrite=maybe',
  'apply -f cm.yaml --openapi-patch=false --force-conflicts',
  'apply --cascade=orphan',
  'apply -f cm.yaml --wait=false --force --server-side',
  'apply -f cm.yaml --wait=maybe',
  'apply -f cm.yaml --prune --all --cascade=bogus --prune-allowlist=x',
  'apply -f cm.yaml --prune --prune-allowlist=x --force-conflicts',
  'apply -f cm.yaml --overwrite=false --openapi-patch=0 --server-side --dry-run=client',
  'apply -f cm.yaml --subresource=status --force',
  'replace -f cm.yaml --grace-period=x',
  'delete -f cm.yaml --cascade=1 --grace-period=0 --now',
  // apply's flags are local to it (cobra): its sub-commands refuse them.
  'apply view-last-applied -f cm.yaml --force',
  'apply set-last-applied -f cm.yaml --prune',
  'apply edit-last-applied --overwrite=false -f cm.yaml',
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
  // metadata the Builder cannot decode as metav1.ObjectMeta (`y` is YAML 1.1's true), on every verb that reads -f.
  'label --local -f bad-meta.yaml x=y',
  'label --local -f meta-list.yaml x=y -o name',
  'label --local -f mixed-meta.yaml x=y -o name',
  'annotate --local -f mixed-meta.yaml -f bad-meta.yaml x=y',
  'patch --local -f mixed-meta.yaml -p {} -o name',
  'patch --local -f mixed-meta.yaml -p {bad}',
  'patch --local -f meta-list.yaml -p {}',
  'set env --local -f meta-list.yaml A=1',
  'set image --local -f bad-meta.yaml a=b',
  'set resources --local -f mixed-meta.yaml --limits=cpu=1',
  'set sa --local -f mixed-meta.yaml x',
  'set selector --local -f bad-meta.yaml a=b',
  'set subject --local -f meta-list.yaml --user=x',
  'create --dry-run=client --validate=false -f bad-meta.yaml',
  'create --dry-run=client --validate=false -f meta-list.yaml -o yaml',
  'apply --dry-run=client --validate=false -f meta-list.yaml',
  'replace --dry-run=client --validate=false -f bad-meta.yaml',
  // No kind and no validation: the serializer's own error, with the bytes it decoded (YAMLToJSON's, or the JSON as written).
  'create --dry-run=client --validate=false -f no-kind.yaml',
  'create --validate=false -f no-kind.json',
  'apply --dry-run=client --validate=false -f no-kind.yaml -o name',
  'replace --dry-run=client --validate=false -f no-kind.json',
  // set decodes the whole object into its Go type: encoding/json's first type error, or Quantity's own.
  'set image --local -f typed-bad.yaml web=x',
  'set env --local -f typed-bad.yaml A=1 -o name',
  'set resources --local -f typed-quantity.yaml --limits=cpu=1',
  'label --local -f typed-bad.yaml a=b -o name',
  // Ints past 2^53 stay exact (int64), past int64 they are float64, in every printer.
  'label --local -f big-int-mixed.yaml a=b -o yaml',
  'label --local -f big-int-mixed.yaml a=b -o json',
  'annotate --local -f big-int.json a=b -o yaml',
  'annotate --local -f big-int.json a=b -o json',
  'set image --local -f big-int.yaml c=x -o json',
  'set env --local -f big-int.yaml A=1 -o yaml',
  'label --local -f big-int.yaml a=b -o jsonpath={.spec.activeDeadlineSeconds}',
  "label --local -f big-int-mixed.yaml a=b -o 'go-template={{.spec.activeDeadlineSeconds}} {{range .spec.x}}{{.}} {{end}}'",
  'label --local -f big-int.yaml a=b -o custom-columns=A:.spec.activeDeadlineSeconds,T:.spec.terminationGracePeriodSeconds',
  `patch --local -f big-int.yaml -p '{"spec":{"activeDeadlineSeconds":9007199254740995}}' -o yaml`,
  "patch --local -f big-int.yaml --type=merge -p 'spec: {activeDeadlineSeconds: 9007199254740997}' -o json",
  `patch --local -f big-int.yaml --type=json -p '[{"op":"copy","from":"/spec/activeDeadlineSeconds","path":"/spec/x"}]' -o json`,
  `patch --local -f big-int.yaml --type=json -p '[{"op":"test","path":"/spec/activeDeadlineSeconds","value":9007199254740992}]' -o name`,
  // RequireNamespace with --local: set env --from's objects and wait's.
  'set env --local -f deploy-ns-a.yaml --from=configmap/x -n b',
  'set env --local -f deploy-ns-a.yaml --from=configmap/x -n a',
  'set env --local -f deploy-ns-a.yaml A=1 -n b -o name',
  'wait --local -f deploy-ns-a.yaml -n b --for=condition=Available',
  'wait --local -f deploy-ns-a.yaml -n b --for=delete',
  "wait --local -f deploy-ns-a.yaml -n b --for=jsonpath='{.spec.replicas}'=1",
  'label --local -f deploy-ns-a.yaml -f cm.yaml x=y -n b',
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
    ...APPLY_FLAGS,
    ...HELP,
    ...DIFF_AND_FRIENDS,
    ...GROUPS,
    ...LISTED_FLAGS,
    ...SET_FLAGS,
    ...PROGRAM_NAME,
    ...RAW_REQUESTS,
    ...KUSTOMIZE_FLAGS,
    ...ROLLOUT,
    ...KUBECONFIG_READS,
    ...DECODE_CASES,
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
