// A container's command sees what `kubectl exec` in it sees: HOME, the service link
// variables of the Services that existed when it started (and only those), and the files
// the kubelet mounts (/etc/hostname, the service account token).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox } from './helpers';
import { Hosted } from './hosted';

const sb = new Hosted(new Sandbox());
after(() => sb.sb.cleanup());

test("a container's command and exec see one environment, fixed at the container's start", async () => {
  await sb.ok(['cluster', 'create', '--nodes', '1']);
  await sb.ok(['create', 'service', 'clusterip', 'early', '--tcp=80:8080']);
  await sb.ok(['clock', 'advance', '2s']);
  const script = 'echo HOME=$HOME; cat /etc/hostname; echo $KUBERNETES_PORT_443_TCP_ADDR; printenv | grep _SERVICE_HOST= | sort; wc -l < /var/run/secrets/kubernetes.io/serviceaccount/namespace; sleep 3600';
  await sb.ok(['run', 'envt', '--image=busybox:1.36', '--', 'sh', '-c', script]);
  await sb.ok(['clock', 'advance', '5s']);
  await sb.ok(['create', 'service', 'clusterip', 'late', '--tcp=80:8080']);
  await sb.ok(['clock', 'advance', '5s']);
  const early = JSON.parse(await sb.ok(['get', 'service', 'early', '-o', 'json'])).spec.clusterIP;
  const logs = await sb.ok(['logs', 'envt']);
  assert.equal(logs, ['HOME=/root', 'envt', '10.96.0.1', `EARLY_SERVICE_HOST=${early}`, 'KUBERNETES_SERVICE_HOST=10.96.0.1', '0', ''].join('\n'));
  const exec = await sb.ok(['exec', 'envt', '--', 'sh', '-c', 'printenv | grep _SERVICE_HOST= | sort']);
  assert.equal(exec, `EARLY_SERVICE_HOST=${early}\nKUBERNETES_SERVICE_HOST=10.96.0.1\n`);
});
