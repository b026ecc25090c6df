// The Kubernetes Python client (Debian's python3-kubernetes) against `kubesim serve`, with
// the kubeconfig entry `cluster create` wrote: it lists pods and nodes, creates, patches and
// deletes a Deployment, and a watch started from a list's resourceVersion sees ADDED,
// MODIFIED and DELETED for it, in that order. Its models, sent without apiVersion and kind,
// are created and reviewed as kube-apiserver does (the endpoint's type).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { DEBIAN_PYTHON, requirePythonKubernetes } from '../oracles';
import { ServedCluster } from './harness';

const c = new ServedCluster('py');

before(async () => {
  requirePythonKubernetes();
  await c.setUp({ prepare: [['run', 'solo', '--image=busybox:1.36', '--', 'sleep', '3600'], ['create', 'deployment', 'other', '--image=busybox:1.36']] });
});
after(() => c.stop());

const SCRIPT = String.raw`
import json, os, sys, threading
from kubernetes import client, config, watch

config.load_kube_config(config_file=os.environ["KUBECONFIG"])
core = client.CoreV1Api()
apps = client.AppsV1Api()
out = {}
out["context"] = config.list_kube_config_contexts(config_file=os.environ["KUBECONFIG"])[1]["name"]
out["pods"] = sorted(p.metadata.name for p in core.list_namespaced_pod("default").items)
out["nodes"] = sorted(n.metadata.name for n in core.list_node().items)
out["ready"] = {n.metadata.name: [c.status for c in n.status.conditions if c.type == "Ready"] for n in core.list_node().items}

listed = apps.list_namespaced_deployment("default")
events = []
done = threading.Event()
def follow():
    w = watch.Watch()
    for ev in w.stream(apps.list_namespaced_deployment, "default", field_selector="metadata.name=py-web",
                       resource_version=listed.metadata.resource_version, timeout_seconds=60):
        o = ev["object"]
        events.append([ev["type"], o.metadata.name, o.spec.replicas, o.metadata.resource_version])
        if ev["type"] == "DELETED":
            w.stop()
    done.set()
t = threading.Thread(target=follow, daemon=True)
t.start()

body = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "py-web", "labels": {"app": "py-web"}},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "py-web"}},
             "template": {"metadata": {"labels": {"app": "py-web"}},
                          "spec": {"containers": [{"name": "app", "image": "busybox:1.36"}]}}},
}
created = apps.create_namespaced_deployment("default", body)
out["created"] = [created.metadata.name, created.spec.replicas, created.spec.template.spec.containers[0].image_pull_policy]
patched = apps.patch_namespaced_deployment("py-web", "default", {"spec": {"replicas": 3}})
out["patched"] = patched.spec.replicas
out["read"] = apps.read_namespaced_deployment("py-web", "default").spec.replicas
try:
    apps.read_namespaced_deployment("nope", "default")
except client.exceptions.ApiException as e:
    out["missing"] = [e.status, json.loads(e.body)["message"]]
status = apps.delete_namespaced_deployment("py-web", "default")
out["deleted"] = status.status
# Models as the client builds them carry no apiVersion or kind: the endpoint's are taken.
cm = core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-model"), data={"a": "b"}))
out["model"] = [cm.api_version, cm.kind, cm.data]
authz = client.AuthorizationV1Api()
out["reviews"] = [
    authz.create_self_subject_access_review(client.V1SelfSubjectAccessReview(spec=client.V1SelfSubjectAccessReviewSpec(
        resource_attributes=client.V1ResourceAttributes(verb="list", resource="pods")))).status.allowed,
    authz.create_subject_access_review(client.V1SubjectAccessReview(spec=client.V1SubjectAccessReviewSpec(
        user="jane", resource_attributes=client.V1ResourceAttributes(verb="list", resource="pods")))).status.allowed,
]
done.wait(60)
out["events"] = events
print(json.dumps(out))
`;

test('the Python client lists, writes and watches through the server', () => {
  const r = spawnSync(DEBIAN_PYTHON, ['-c', SCRIPT], { env: c.env(), encoding: 'utf8', timeout: 90_000 });
  assert.equal(r.status, 0, `python exited ${r.status}: ${r.stderr}`);
  const out = JSON.parse(r.stdout);
  assert.equal(out.context, 'kubesim-py');
  const names = (args: string[]) => c.ok([...args, '-o', 'name']).trim().split('\n').map((n) => n.split('/')[1]).sort();
  assert.deepEqual(out.pods, names(['get', 'pods']));
  assert.ok(out.pods.includes('solo'));
  assert.deepEqual(out.nodes, names(['get', 'nodes']));
  assert.equal(out.nodes.length, 2);
  assert.deepEqual(out.created, ['py-web', 1, 'IfNotPresent'], 'the server defaulted the pod template');
  assert.equal(out.patched, 3);
  assert.equal(out.read, 3);
  assert.deepEqual(out.missing, [404, 'deployments.apps "nope" not found']);
  assert.equal(out.deleted, 'Success');
  assert.deepEqual(out.model, ['v1', 'ConfigMap', { a: 'b' }]);
  assert.deepEqual(out.reviews, [true, false]);
  assert.deepEqual(out.events.map((e: unknown[]) => e.slice(0, 3)), [['ADDED', 'py-web', 1], ['MODIFIED', 'py-web', 3], ['DELETED', 'py-web', 3]], JSON.stringify(out.events));
  const rvs = out.events.map((e: string[]) => Number(e[3]));
  assert.ok(rvs[0] < rvs[1] && rvs[1] <= rvs[2], `resourceVersions in order: ${rvs}`);
  assert.equal(c.kubesim(['get', 'deploy', 'py-web']).code, 1, 'gone for kubesim too');
});
