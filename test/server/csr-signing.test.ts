// The real kubectl 1.32 against `kubesim serve` through the client-certificate workflow of
// the Kubernetes docs: a key and CSR made with openssl, a CertificateSigningRequest, `kubectl
// certificate approve`, the csrsigning controller issuing the certificate from the cluster
// CA, and kubectl authenticating with it. Also the signers' refusals and the CSR table.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServedCluster } from './harness';
import { requireTool } from '../oracles';

const c = new ServedCluster('csrsign');

before(async () => {
  requireTool('openssl', ['version'], 'openssl');
  await c.setUp({ kubectl: true, create: ['--nodes', '1'] });
});
after(() => c.stop());

const k = (args: string[]) => c.kubectl(args);

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: c.dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A key and a PEM CSR made by openssl (`-newkey rsa:2048` or `ec`), in the test's directory. */
function keyAndRequest(name: string, subject: string, newkey = 'rsa:2048', extra: string[] = []): string {
  openssl(['req', '-new', '-newkey', newkey, ...(newkey.startsWith('ec') ? ['-pkeyopt', 'ec_paramgen_curve:prime256v1'] : []), '-nodes', '-keyout', `${name}.key`, '-subj', subject, ...extra, '-out', `${name}.csr`]);
  return readFileSync(join(c.dir, `${name}.csr`), 'utf8');
}

function csrYaml(name: string, pem: string, signerName: string, usages: string[], expirationSeconds?: number): string {
  return `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: ${name}}
spec:
  request: ${Buffer.from(pem).toString('base64')}
  signerName: ${signerName}
  usages: [${usages.join(', ')}]
${expirationSeconds ? `  expirationSeconds: ${expirationSeconds}\n` : ''}`;
}

const createCsr = (name: string, yaml: string) => assert.equal(k(['create', '-f', c.file(`${name}.yaml`, yaml)]).code, 0);
const condition = (name: string) => k(['get', 'csr', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].message}']).stdout;

test('openssl key and CSR, approve, issued certificate, kubectl authenticates with it', () => {
  createCsr('alice', csrYaml('alice', keyAndRequest('alice', '/O=devs/O=ops/CN=alice'), 'kubernetes.io/kube-apiserver-client', ['client auth'], 86400));
  const pending = k(['get', 'csr', 'alice']);
  assert.equal(pending.code, 0, pending.stderr);
  assert.match(pending.stdout, /^NAME +AGE +SIGNERNAME +REQUESTOR +REQUESTEDDURATION +CONDITION\nalice +\d+s +kubernetes\.io\/kube-apiserver-client +kubernetes-admin +24h +Pending\n$/);
  assert.equal(JSON.stringify(JSON.parse(k(['get', 'csr', 'alice', '-o', 'json']).stdout).spec.groups), '["kubeadm:cluster-admins","system:authenticated"]');

  assert.equal(k(['certificate', 'approve', 'alice']).code, 0);
  c.ok(['reconcile', '--until-stable']);
  const issued = k(['get', 'csr', 'alice']);
  assert.match(issued.stdout, /\nalice +\d+s +kubernetes\.io\/kube-apiserver-client +kubernetes-admin +24h +Approved,Issued\n$/);
  // The server's Table and kubesim's own get agree.
  const ageless = (s: string) => s.replace(/ \d+s /g, ' AGE ');
  assert.equal(ageless(c.kubesim(['get', 'csr', 'alice']).stdout), ageless(issued.stdout));

  const pem = Buffer.from(k(['get', 'csr', 'alice', '-o', 'jsonpath={.status.certificate}']).stdout, 'base64').toString('utf8');
  writeFileSync(join(c.dir, 'alice.crt'), pem);
  openssl(['verify', '-CAfile', join(c.home, 'clusters', c.name, 'pki', 'ca.crt'), 'alice.crt']);
  const text = spawnSync('openssl', ['x509', '-in', 'alice.crt', '-noout', '-subject', '-ext', 'extendedKeyUsage,basicConstraints', '-startdate', '-enddate'], { cwd: c.dir, encoding: 'utf8' }).stdout;
  assert.match(text, /^subject=O ?= ?devs, O ?= ?ops, CN ?= ?alice$/m);
  assert.match(text, /TLS Web Client Authentication/);
  assert.match(text, /CA:FALSE/);
  const dates = Object.fromEntries([...text.matchAll(/^(notBefore|notAfter)=(.*)$/gm)].map((m) => [m[1], Date.parse(m[2])]));
  assert.equal(dates.notAfter - dates.notBefore, 86400_000 + 5 * 60_000, 'the requested day, from five minutes back');

  assert.equal(k(['config', 'set-credentials', 'alice', `--client-certificate=${join(c.dir, 'alice.crt')}`, `--client-key=${join(c.dir, 'alice.key')}`, '--embed-certs']).code, 0);
  assert.equal(k(['config', 'set-context', 'alice', `--cluster=kubesim-${c.name}`, '--user=alice']).code, 0);
  const who = k(['--context', 'alice', 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username} {.status.userInfo.groups}']);
  assert.deepEqual([who.code, who.stdout], [0, 'alice ["devs","ops","system:authenticated"]']);
  const denied = k(['--context', 'alice', 'get', 'pods']);
  assert.equal(denied.code, 1);
  assert.equal(denied.stderr, 'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"\n');
  assert.equal(k(['create', 'rolebinding', 'devs-view', '--clusterrole=view', '--group=devs']).code, 0);
  const allowed = k(['--context', 'alice', 'get', 'pods']);
  assert.deepEqual([allowed.code, allowed.stderr], [0, 'No resources found in default namespace.\n']);
});

test('an ECDSA request with subjectAltNames, for the kubelet signers', () => {
  const node = keyAndRequest('node1', '/O=system:nodes/CN=system:node:node1', 'ec', ['-addext', 'subjectAltName=DNS:node1,IP:172.18.0.9']);
  createCsr('serving', csrYaml('serving', node, 'kubernetes.io/kubelet-serving', ['digital signature', 'server auth']));
  // A kubelet's client certificate names no hosts.
  const node2 = keyAndRequest('node2', '/O=system:nodes/CN=system:node:node2');
  createCsr('client', csrYaml('client', node2, 'kubernetes.io/kube-apiserver-client-kubelet', ['digital signature', 'client auth']));
  createCsr('client-with-san', csrYaml('client-with-san', node, 'kubernetes.io/kube-apiserver-client-kubelet', ['digital signature', 'client auth']));
  const bob = keyAndRequest('bob', '/O=devs/CN=bob');
  createCsr('not-a-node', csrYaml('not-a-node', bob, 'kubernetes.io/kube-apiserver-client-kubelet', ['digital signature', 'client auth']));
  createCsr('no-san', csrYaml('no-san', node2, 'kubernetes.io/kubelet-serving', ['digital signature', 'server auth']));
  createCsr('server-usage', csrYaml('server-usage', bob, 'kubernetes.io/kube-apiserver-client', ['client auth', 'server auth']));
  createCsr('elsewhere', csrYaml('elsewhere', bob, 'example.com/signer', ['client auth']));
  createCsr('refused', csrYaml('refused', bob, 'kubernetes.io/kube-apiserver-client', ['client auth']));
  createCsr('waiting', csrYaml('waiting', bob, 'kubernetes.io/kube-apiserver-client', ['client auth']));
  assert.equal(k(['certificate', 'approve', 'serving', 'client', 'client-with-san', 'not-a-node', 'no-san', 'server-usage', 'elsewhere']).code, 0);
  assert.equal(k(['certificate', 'deny', 'refused']).code, 0);
  c.ok(['reconcile', '--until-stable']);

  const table = k(['get', 'csr', 'serving', 'client', 'client-with-san', 'not-a-node', 'no-san', 'server-usage', 'elsewhere', 'refused', '-o', 'custom-columns=NAME:.metadata.name,CONDITION:.status.conditions[*].type']);
  assert.equal(table.stdout.replace(/ +/g, ' '), 'NAME CONDITION\nserving Approved\nclient Approved\nclient-with-san Approved,Failed\nnot-a-node Approved,Failed\nno-san Approved,Failed\nserver-usage Approved,Failed\nelsewhere Approved\nrefused Denied\n');
  assert.equal(condition('client-with-san'), 'DNS subjectAltNames are not allowed');
  assert.equal(condition('not-a-node'), 'subject organization is not system:nodes');
  assert.equal(condition('no-san'), 'DNS or IP subjectAltName is required');
  assert.equal(condition('server-usage'), 'invalid usage for client certificate: server auth');
  assert.equal(k(['get', 'csr', 'not-a-node', '-o', 'jsonpath={.status.conditions[1].reason}']).stdout, 'SignerValidationFailure');
  assert.match(k(['get', 'csr', 'not-a-node']).stdout, /\nnot-a-node +\d+s +kubernetes\.io\/kube-apiserver-client-kubelet +kubernetes-admin +<none> +Approved,Failed\n$/);
  assert.notEqual(k(['get', 'csr', 'client', '-o', 'jsonpath={.status.certificate}']).stdout, '');
  for (const name of ['elsewhere', 'refused', 'waiting']) assert.equal(k(['get', 'csr', name, '-o', 'jsonpath={.status.certificate}']).stdout, '', `${name} is not issued`);

  const served = Buffer.from(k(['get', 'csr', 'serving', '-o', 'jsonpath={.status.certificate}']).stdout, 'base64').toString('utf8');
  writeFileSync(join(c.dir, 'serving.crt'), served);
  const text = spawnSync('openssl', ['x509', '-in', 'serving.crt', '-noout', '-text'], { cwd: c.dir, encoding: 'utf8' }).stdout;
  assert.match(text, /Public Key Algorithm: id-ecPublicKey/);
  assert.match(text, /DNS:node1, IP Address:172\.18\.0\.9/);
  assert.match(text, /TLS Web Server Authentication/);
  openssl(['verify', '-CAfile', join(c.home, 'clusters', c.name, 'pki', 'ca.crt'), 'serving.crt']);
});

test('a request that is not a signed PKCS#10 request, or for a malformed signer, is refused at create with kube-apiserver\'s words', () => {
  const notPem = k(['create', '-f', c.file('junk.yaml', csrYaml('junk', 'hello\n', 'kubernetes.io/kube-apiserver-client', ['client auth']))]);
  assert.equal(notPem.code, 1);
  assert.equal(notPem.stderr, `The CertificateSigningRequest "junk" is invalid: spec.request: Invalid value: []byte{0x68, 0x65, 0x6c, 0x6c, 0x6f, 0xa}: PEM block type must be CERTIFICATE REQUEST\n`);

  // A request whose signature does not match its content (one byte of the subject changed).
  const good = keyAndRequest('tampered', '/CN=tampered');
  const der = Buffer.from(good.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const at = der.indexOf(Buffer.from('tampered'));
  der[at] = 'T'.charCodeAt(0);
  const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE REQUEST-----\n`;
  const bad = k(['create', '-f', c.file('tampered.yaml', csrYaml('tampered', tampered, 'example.com/x', ['client auth', 'bogus', 'client auth'], 60))]);
  assert.equal(bad.code, 1);
  const lines = bad.stderr.split('\n');
  assert.equal(lines[0], 'The CertificateSigningRequest "tampered" is invalid: ');
  assert.match(lines[1], /^\* spec\.request: Invalid value: \[\]byte\{0x2d, 0x2d, .*\}: crypto\/rsa: verification error$/);
  assert.deepEqual(lines.slice(2), [
    '* spec.usages[1]: Unsupported value: "bogus": supported values: "any", "cert sign", "client auth", "code signing", "content commitment", "crl sign", "data encipherment", "decipher only", "digital signature", "email protection", "encipher only", "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement", "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime", "server auth", "signing", "timestamping"',
    '* spec.usages[2]: Duplicate value: "client auth"',
    '* spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)',
    '',
  ]);
  const signer = k(['create', '-f', c.file('signer.yaml', csrYaml('signer', good, 'example', ['client auth']))]);
  assert.equal(signer.stderr, `The CertificateSigningRequest "signer" is invalid: spec.signerName: Invalid value: "example": must be a fully qualified domain and path of the form 'example.com/signer-name'\n`);
  const legacy = k(['create', '-f', c.file('legacy.yaml', csrYaml('legacy', good, 'kubernetes.io/legacy-unknown', ['client auth']))]);
  assert.equal(legacy.stderr, `The CertificateSigningRequest "legacy" is invalid: spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version\n`);
  assert.equal(k(['get', 'csr', 'junk', 'tampered', 'signer', 'legacy', '--ignore-not-found']).stdout, '', 'nothing was stored');
});
