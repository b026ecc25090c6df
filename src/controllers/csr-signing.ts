// kube-controller-manager's csrsigning controller: an approved CertificateSigningRequest for
// one of the kubernetes.io signers below, not failed and not yet issued, gets a certificate
// from the cluster CA in status.certificate. Each signer first checks the request as
// Kubernetes does (pkg/controller/certificates/signer, pkg/apis/certificates/helpers.go); a
// request it refuses gets a Failed condition (SignerValidationFailure) instead. Signers of
// other names are left to whoever runs them.

import { ApiError } from '../api/errors';
import type { KObject } from '../api/types';
import { parseCertificateRequest, signRequest, type ParsedRequest } from '../server/csr-sign';
import { readSigningCa } from '../server/pki';
import type { ControllerContext, ReconcileKey, Reconciler } from './types';

const CSR: [string, string] = ['certificates.k8s.io/v1', 'CertificateSigningRequest'];
/** --cluster-signing-duration's default: a year. */
const SIGNING_DURATION_MS = 8760 * 3600_000;

const sameSet = (a: string[], b: string[]) => new Set(a).size === new Set(b).size && a.every((x) => b.includes(x));
const listOf = (l: string[]) => `[${[...new Set(l)].sort().join(' ')}]`;

/** ValidateKubeletClientCSR / ValidateKubeletServingCSR: the parts both share. */
function nodeIdentity(req: ParsedRequest): void {
  if (req.organizations.length !== 1 || req.organizations[0] !== 'system:nodes') throw new Error('subject organization is not system:nodes');
}

function kubeletClient(req: ParsedRequest, usages: string[]): void {
  nodeIdentity(req);
  if (req.dnsNames.length) throw new Error('DNS subjectAltNames are not allowed');
  if (req.emails.length) throw new Error('Email subjectAltNames are not allowed');
  if (req.ips.length) throw new Error('IP subjectAltNames are not allowed');
  if (req.uris.length) throw new Error('URI subjectAltNames are not allowed');
  if (!req.commonName.startsWith('system:node:')) throw new Error('subject common name does not begin with system:node:');
  const required = ['digital signature', 'key encipherment', 'client auth'];
  if (!sameSet(usages, required) && !sameSet(usages, ['digital signature', 'client auth'])) throw new Error(`usages did not match ${listOf(required)}`);
}

function kubeletServing(req: ParsedRequest, usages: string[]): void {
  const required = ['digital signature', 'key encipherment', 'server auth'];
  if (!sameSet(usages, required) && !sameSet(usages, ['digital signature', 'server auth'])) throw new Error(`usages did not match ${listOf(required)}`);
  if (!req.dnsNames.length && !req.ips.length) throw new Error('DNS or IP subjectAltName is required');
  if (req.emails.length) throw new Error('Email subjectAltNames are not allowed');
  if (req.uris.length) throw new Error('URI subjectAltNames are not allowed');
  nodeIdentity(req);
  if (!req.commonName.startsWith('system:node:')) throw new Error('subject common name does not begin with system:node:');
}

/** validAPIServerClientUsages: client auth required, digital signature and key encipherment allowed. */
function apiServerClient(_req: ParsedRequest, usages: string[]): void {
  for (const u of usages) if (!['digital signature', 'key encipherment', 'client auth'].includes(u)) throw new Error(`invalid usage for client certificate: ${u}`);
  if (!usages.includes('client auth')) throw new Error('missing required usage for client certificate: client auth');
}

/** signerName → its check of a request (legacy-unknown signs anything, on purpose). */
const SIGNERS: Record<string, (req: ParsedRequest, usages: string[]) => void> = {
  'kubernetes.io/kube-apiserver-client': apiServerClient,
  'kubernetes.io/kube-apiserver-client-kubelet': kubeletClient,
  'kubernetes.io/kubelet-serving': kubeletServing,
  'kubernetes.io/legacy-unknown': () => {},
};

const hasCondition = (csr: KObject, type: string, status?: string) => ((csr.status?.conditions ?? []) as any[]).some((c) => c.type === type && (status === undefined || c.status === status));

export const csrSigningReconciler: Reconciler = {
  name: 'csrsigning',
  primary: CSR,
  async reconcile(key: ReconcileKey, ctx: ControllerContext): Promise<void> {
    const rt = ctx.api.registry.forKind(...CSR);
    const csr = await ctx.api.tryGet(rt, undefined, key.name);
    if (!csr || csr.status?.certificate) return;
    // IsCertificateRequestApproved: Approved and not Denied; a Failed request is done.
    if (!hasCondition(csr, 'Approved') || hasCondition(csr, 'Denied') || hasCondition(csr, 'Failed', 'True')) return;
    const check = SIGNERS[String(csr.spec?.signerName ?? '')];
    const ca = ctx.clusterDir ? readSigningCa(ctx.clusterDir) : undefined;
    if (!check || !ca) return;
    const usages: string[] = csr.spec?.usages ?? [];
    const next: KObject = { ...csr, status: { ...csr.status } };
    try {
      const req = parseCertificateRequest(Buffer.from(String(csr.spec?.request ?? ''), 'base64').toString('utf8'));
      check(req, usages);
      const requested = Number(csr.spec?.expirationSeconds) * 1000;
      // Certificates are checked against the wall clock by every TLS client: real time, not the cluster's.
      const pem = signRequest(req, { ca, usages, durationMs: requested > 0 ? Math.min(requested, SIGNING_DURATION_MS) : SIGNING_DURATION_MS, nowMs: Date.now() });
      next.status!.certificate = Buffer.from(pem).toString('base64');
    } catch (e) {
      const now = ctx.api.timestamp();
      const failed = { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: e instanceof Error ? e.message : String(e), lastUpdateTime: now, lastTransitionTime: now };
      next.status!.conditions = [...(csr.status?.conditions ?? []), failed];
    }
    try {
      await ctx.api.updateStatus(next, { fieldManager: 'kube-controller-manager' });
    } catch (e) {
      if (!(e instanceof ApiError && (e.reason === 'Conflict' || e.reason === 'NotFound'))) throw e;
    }
  },
};
