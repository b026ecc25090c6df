// The real kubectl 1.32 against `kubesim serve` for two subresources kube-apiserver serves:
// serviceaccounts/NAME/token (`kubectl create token`, whose token then authenticates as the
// service account and is authorized by RBAC) and certificatesigningrequests/NAME/approval
// (`kubectl certificate approve|deny`).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { csrManifest, ServedCluster } from './harness';

const c = new ServedCluster('tokcsr');

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'] });
  c.ok(['create', 'serviceaccount', 'bot']);
});
after(() => c.stop());

/** kubectl as the bearer of `token` (the kubeconfig's client certificate left out). */
const asToken = (token: string, args: string[]) => c.kubectl([...args, '--token', token, '--client-certificate=', '--client-key=']);

test('kubectl create token: a TokenRequest answered as kube-apiserver answers it', () => {
  const r = c.kubectl(['create', 'token', 'bot', '--duration', '20m', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const tr = JSON.parse(r.stdout);
  assert.equal(tr.kind, 'TokenRequest');
  assert.equal(tr.apiVersion, 'authentication.k8s.io/v1');
  assert.deepEqual({ name: tr.metadata.name, namespace: tr.metadata.namespace }, { name: 'bot', namespace: 'default' });
  assert.deepEqual(tr.spec, { audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 1200, boundObjectRef: null });
  assert.equal(Date.parse(tr.status.expirationTimestamp) - Date.parse(tr.metadata.creationTimestamp), 1200_000);
  assert.match(tr.status.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);

  // Defaults: an hour, the API server's audience.
  const plain = c.kubectl(['create', 'token', 'bot', '-o', 'jsonpath={.spec.expirationSeconds} {.spec.audiences}']);
  assert.equal(plain.stdout, '3600 ["https://kubernetes.default.svc.cluster.local"]');

  const missing = c.kubectl(['create', 'token', 'nope']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'error: failed to create token: serviceaccounts "nope" not found\n');
  const short = c.kubectl(['create', 'token', 'bot', '--duration', '5m']);
  assert.equal(short.code, 1);
  assert.equal(short.stderr, 'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes\n');
  const bound = c.kubectl(['create', 'token', 'bot', '--bound-object-kind', 'Secret', '--bound-object-name', 'absent']);
  assert.equal(bound.code, 1);
  assert.equal(bound.stderr, 'error: failed to create token: secrets "absent" not found\n');
});

test('the token authenticates as system:serviceaccount:default:bot and RBAC decides what it may do', () => {
  const token = c.kubectl(['create', 'token', 'bot']).stdout.trim();
  const who = asToken(token, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username} {.status.userInfo.groups}']);
  assert.equal(who.code, 0, who.stderr);
  assert.equal(who.stdout, 'system:serviceaccount:default:bot ["system:serviceaccounts","system:serviceaccounts:default","system:authenticated"]');
  const uid = c.kubectl(['get', 'serviceaccount', 'bot', '-o', 'jsonpath={.metadata.uid}']).stdout;
  assert.equal(asToken(token, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.uid}']).stdout, uid);

  const denied = asToken(token, ['get', 'pods']);
  assert.equal(denied.code, 1);
  assert.equal(denied.stderr, 'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:bot" cannot list resource "pods" in API group "" in the namespace "default"\n');
  assert.equal(asToken(token, ['auth', 'can-i', 'list', 'pods']).stdout, 'no\n');

  assert.equal(c.kubectl(['create', 'role', 'reader', '--verb', 'get,list', '--resource', 'pods,serviceaccounts']).code, 0);
  assert.equal(c.kubectl(['create', 'rolebinding', 'bot-reader', '--role', 'reader', '--serviceaccount', 'default:bot']).code, 0);
  assert.equal(asToken(token, ['auth', 'can-i', 'list', 'pods']).stdout, 'yes\n');
  const allowed = asToken(token, ['get', 'serviceaccounts', '-o', 'name']);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /^serviceaccount\/bot$/m);
  assert.equal(asToken(token, ['auth', 'can-i', 'delete', 'pods']).stdout, 'no\n');

  // A token for another audience is not for this server; nor is one whose account is gone.
  const other = c.kubectl(['create', 'token', 'bot', '--audience', 'https://vault.example']).stdout.trim();
  const wrong = asToken(other, ['get', 'serviceaccounts']);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
  assert.equal(c.kubectl(['delete', 'serviceaccount', 'bot']).code, 0);
  const gone = asToken(token, ['get', 'serviceaccounts']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
  c.ok(['create', 'serviceaccount', 'bot']);
  const recreated = asToken(token, ['get', 'serviceaccounts']);
  assert.equal(recreated.code, 1, 'a token names the UID of the account it was issued for');
});

test('kubectl certificate approve|deny through the approval subresource', () => {
  for (const n of ['jane', 'joe']) assert.equal(c.kubectl(['create', '-f', c.file(`${n}.yaml`, csrManifest(n, n))]).code, 0);
  const discovery = c.kubectl(['get', '--raw', '/apis/certificates.k8s.io/v1']);
  assert.ok(JSON.parse(discovery.stdout).resources.some((r: { name: string }) => r.name === 'certificatesigningrequests/approval'));

  const ok = c.kubectl(['certificate', 'approve', 'jane']);
  assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, 'certificatesigningrequest.certificates.k8s.io/jane approved\n', '']);
  const cond = JSON.parse(c.kubectl(['get', 'csr', 'jane', '-o', 'json']).stdout).status.conditions;
  assert.equal(cond.length, 1);
  assert.deepEqual({ ...cond[0], lastUpdateTime: undefined, lastTransitionTime: undefined }, {
    type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'This CSR was approved by kubectl certificate approve.', lastUpdateTime: undefined, lastTransitionTime: undefined,
  });
  assert.ok(cond[0].lastTransitionTime, 'the server fills in lastTransitionTime');
  // Approving again changes nothing; denying an approved request is kubectl's error.
  assert.equal(c.kubectl(['certificate', 'approve', 'jane']).code, 0);
  assert.equal(JSON.parse(c.kubectl(['get', 'csr', 'jane', '-o', 'json']).stdout).status.conditions.length, 1);
  const twice = c.kubectl(['certificate', 'deny', 'jane']);
  assert.deepEqual([twice.code, twice.stderr], [1, 'error: certificate signing request "jane" is already Approved\n']);

  const denied = c.kubectl(['certificate', 'deny', 'joe']);
  assert.deepEqual([denied.code, denied.stdout], [0, 'certificatesigningrequest.certificates.k8s.io/joe denied\n']);
  assert.equal(c.kubectl(['get', 'csr', 'joe', '-o', 'jsonpath={.status.conditions[0].type}/{.status.conditions[0].reason}']).stdout, 'Denied/KubectlDeny');

  // The server's own checks: Approved and Denied exclusive, no removal, spec untouched.
  const both = c.kubectl(['patch', 'csr', 'joe', '--subresource', 'approval', '--type', 'json', '-p', '[{"op":"add","path":"/status/conditions/-","value":{"type":"Approved","status":"True"}}]']);
  assert.equal(both.code, 1);
  assert.match(both.stderr, /^The CertificateSigningRequest "joe" is invalid: status.conditions\[1\].type: Invalid value: "Approved": Approved and Denied conditions are mutually exclusive/);
  const removal = c.kubectl(['patch', 'csr', 'joe', '--subresource', 'approval', '--type', 'merge', '-p', '{"status":{"conditions":[]}}']);
  assert.equal(removal.code, 1);
  assert.match(removal.stderr, /status.conditions: Forbidden: updates may not remove a condition of type "Denied"/);
  const spec = c.kubectl(['patch', 'csr', 'joe', '--subresource', 'approval', '--type', 'merge', '-p', '{"spec":{"usages":["server auth"]}}']);
  assert.equal(spec.code, 0, spec.stderr);
  assert.equal(c.kubectl(['get', 'csr', 'joe', '-o', 'jsonpath={.spec.usages}']).stdout, '["client auth"]');
});

test('approving needs the approve verb on the signer (the CertificateApproval admission check)', () => {
  assert.equal(c.kubectl(['create', '-f', c.file('ann.yaml', csrManifest('ann', 'ann'))]).code, 0);
  assert.equal(c.kubectl(['create', 'clusterrole', 'csr-updater', '--verb', 'get,list,update', '--resource', 'certificatesigningrequests,certificatesigningrequests/approval']).code, 0);
  assert.equal(c.kubectl(['create', 'clusterrolebinding', 'alice-csr', '--clusterrole', 'csr-updater', '--user', 'alice']).code, 0);
  const no = c.kubectl(['certificate', 'approve', 'ann', '--as', 'alice']);
  assert.equal(no.code, 1);
  assert.equal(no.stderr, 'Error from server (Forbidden): certificatesigningrequests.certificates.k8s.io "ann" is forbidden: user not permitted to approve requests with signerName "kubernetes.io/kube-apiserver-client"\n');
  // signers are not a served resource, so kubectl create clusterrole cannot name them: a manifest.
  const approver = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: approver}
rules:
- {apiGroups: [certificates.k8s.io], resources: [signers], resourceNames: ["kubernetes.io/*"], verbs: [approve]}
`;
  assert.equal(c.kubectl(['create', '-f', c.file('approver.yaml', approver)]).code, 0);
  assert.equal(c.kubectl(['create', 'clusterrolebinding', 'alice-approver', '--clusterrole', 'approver', '--user', 'alice']).code, 0);
  const yes = c.kubectl(['certificate', 'approve', 'ann', '--as', 'alice']);
  assert.equal(yes.code, 0, yes.stderr);
});

test('TokenReview: a token checked by the same authenticators, for the audiences asked, and only for system:auth-delegator', () => {
  c.ok(['create', 'serviceaccount', 'hook']);
  const review = (token: string, extra: { audiences?: string[] } = {}, as: string[] = []) =>
    c.kubectl(['create', '-f', c.file('review.json', JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...extra } })), '-o', 'json', ...as]);
  const status = (r: { code: number; stdout: string; stderr: string }) => {
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).status;
  };
  const token = c.kubectl(['create', 'token', 'hook']).stdout.trim();
  const uid = c.kubectl(['get', 'serviceaccount', 'hook', '-o', 'jsonpath={.metadata.uid}']).stdout;
  const ok = status(review(token));
  assert.equal(ok.authenticated, true);
  assert.deepEqual(ok.audiences, ['https://kubernetes.default.svc.cluster.local']);
  assert.deepEqual({ ...ok.user, extra: undefined }, { username: 'system:serviceaccount:default:hook', uid, groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'], extra: undefined });
  assert.match(ok.user.extra['authentication.kubernetes.io/credential-id'][0], /^JTI=/);

  // Audiences: a token is good only for an audience it names.
  const vault = c.kubectl(['create', 'token', 'hook', '--audience', 'https://vault.example']).stdout.trim();
  const forVault = status(review(vault, { audiences: ['https://vault.example', 'other'] }));
  assert.deepEqual([forVault.authenticated, forVault.audiences], [true, ['https://vault.example']]);
  assert.deepEqual(status(review(vault)), { user: {} });
  assert.deepEqual(status(review(token, { audiences: ['https://vault.example'] })), { user: {} });
  assert.deepEqual(status(review('not-a-token')), { user: {} });

  // kubectl validates a review's manifest with the protobuf /openapi/v2 (a review has no PATCH
  // operation in /openapi/v3, so kubectl's field-validation check falls back to v2).
  const bogus = c.kubectl(['create', '-f', c.file('ssar.yaml', 'apiVersion: authorization.k8s.io/v1\nkind: SelfSubjectAccessReview\nspec:\n  resourceAttributes: {verb: list, resource: pods, bogus: 1}\n')]);
  assert.equal(bogus.code, 1);
  assert.match(bogus.stderr, /error validating data: ValidationError\(SelfSubjectAccessReview\.spec\.resourceAttributes\): unknown field "bogus" in io\.k8s\.api\.authorization\.v1\.ResourceAttributes/);
  // Left to the server: strict decoding fails, else the unknown field is dropped (with a warning for Warn).
  const ssar = `${c.dir}/ssar.yaml`;
  const warn = c.kubectl(['create', '-f', ssar, '--validate=warn', '-o', 'jsonpath={.spec.resourceAttributes}']);
  // (kubectl also notes that it skips its own check: a review has no PATCH to probe.)
  assert.deepEqual([warn.code, warn.stdout], [0, '{"resource":"pods","verb":"list"}']);
  assert.match(warn.stderr, /\nWarning: unknown field "spec\.resourceAttributes\.bogus"\n$/);
  const strict = c.kubectl(['create', '--raw', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews?fieldValidation=Strict', '-f', c.file('ssar.json', JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'list', bogus: 1 } } }))]);
  assert.deepEqual([strict.code, strict.stderr], [1, 'Error from server (BadRequest): SelfSubjectAccessReview in version "v1" cannot be handled as a SelfSubjectAccessReview: strict decoding error: unknown field "spec.resourceAttributes.bogus"\n']);

  // A body that is not JSON gets encoding/json's words, as from kube-apiserver.
  const yaml = c.kubectl(['create', '--raw', '/apis/authentication.k8s.io/v1/tokenreviews', '-f', c.file('review.yaml', 'apiVersion: authentication.k8s.io/v1\n')]);
  assert.deepEqual([yaml.code, yaml.stderr], [1, 'Error from server (BadRequest): couldn\'t get version/kind; json parse error: invalid character \'a\' looking for beginning of value\n']);
  const empty = review('');
  assert.equal(empty.code, 1);
  assert.equal(empty.stderr, `Error from server (BadRequest): error when creating "${c.dir}/review.json": token is required for TokenReview in authentication\n`);

  // Creating reviews is system:auth-delegator's (kube-apiserver's bootstrap role).
  const denied = review(token, {}, ['--as', 'proxy']);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /tokenreviews.authentication.k8s.io is forbidden: User "proxy" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope/);
  c.ok(['create', 'clusterrolebinding', 'proxy-delegator', '--clusterrole', 'system:auth-delegator', '--user', 'proxy']);
  assert.equal(status(review(token, {}, ['--as', 'proxy'])).authenticated, true);
});
