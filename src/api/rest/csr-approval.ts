// certificatesigningrequests/NAME/approval (`kubectl certificate approve|deny`): kube-apiserver's
// csrApprovalStrategy: only status.conditions change (spec and the rest of status stay as
// stored), missing condition timestamps are filled in, and the conditions are validated
// (Approved/Denied/Failed only True, Approved and Denied exclusive, none of them removed,
// no duplicate types). The CertificateApproval admission plugin's check comes first: the
// user must be allowed to `approve` the request's signer.

import { ApiError, type FieldError } from '../errors';
import type { KObject } from '../types';
import { dryRunOf, type RestHandler, type Target } from './handler';
import { RestError } from './status';
import type { ApiRequest, ApiResponse } from './types';
import { applyPatch, decodeObject, managerOf, prepareBody } from './writes';

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string | null;
  lastTransitionTime?: string | null;
}

const TRUE_ONLY = new Set(['Approved', 'Denied', 'Failed']);
const conditionsOf = (o: KObject): Condition[] => (Array.isArray(o.status?.conditions) ? (o.status!.conditions as Condition[]) : []);

export async function csrApproval(h: RestHandler, req: ApiRequest, t: Target, method: string): Promise<ApiResponse> {
  if (method === 'GET') return h.respondObject(req, t, await h.api.get(t.rt, undefined, t.name!), 200);
  const dryRun = dryRunOf(req);
  for (let attempt = 0; ; attempt++) {
    const current = await h.api.get(t.rt, undefined, t.name!);
    let input: KObject;
    if (method === 'PUT') {
      input = prepareBody(t, decodeObject(req));
      if (input.metadata.name !== undefined && input.metadata.name !== t.name) {
        throw new RestError(400, 'BadRequest', `the name of the object (${input.metadata.name}) does not match the name on the URL (${t.name})`);
      }
    } else {
      input = applyPatch(req, t, h.external(t, current));
    }
    const wantRv = input.metadata?.resourceVersion;
    await admitApproval(h, req, current);
    const conditions = stampConditions(conditionsOf(input), conditionsOf(current), h.api.clock.now());
    const errs = validateConditions(conditions, conditionsOf(current));
    if (errs.length) throw ApiError.invalid('CertificateSigningRequest', 'certificates.k8s.io', t.name!, errs);
    const next: KObject = { ...current, status: { ...(current.status ?? {}), conditions } };
    if (!conditions.length) delete next.status!.conditions;
    next.metadata = { ...current.metadata, resourceVersion: wantRv || current.metadata.resourceVersion };
    try {
      const updated = await h.api.updateStatus(next, { dryRun, fieldManager: managerOf(req) });
      return h.respondObject(req, t, updated, 200, false);
    } catch (e) {
      // A patch without a resourceVersion of its own is retried on a concurrent write.
      if (method === 'PATCH' && !wantRv && e instanceof ApiError && e.reason === 'Conflict' && attempt < 5) continue;
      throw e;
    }
  }
}

/** The CertificateApproval admission plugin: `approve` on signers/<signerName> (or <domain>/*). */
async function admitApproval(h: RestHandler, req: ApiRequest, csr: KObject): Promise<void> {
  const check = h.opts.authorize;
  const user = req.user;
  if (!check || !user) return;
  const signer = String(csr.spec?.signerName ?? '');
  const attrs = (name: string) => ({ verb: 'approve', group: 'certificates.k8s.io', resource: 'signers', name, namespace: '' });
  if ((await check(user, attrs(signer))).allowed) return;
  const domain = signer.split('/')[0];
  if (signer.includes('/') && (await check(user, attrs(`${domain}/*`))).allowed) return;
  throw new RestError(403, 'Forbidden', `certificatesigningrequests.certificates.k8s.io "${csr.metadata.name}" is forbidden: user not permitted to approve requests with signerName "${signer}"`, { name: csr.metadata.name, group: 'certificates.k8s.io', kind: 'certificatesigningrequests' });
}

/** populateConditionTimestamps: lastUpdateTime now when unset; lastTransitionTime kept from an equal old condition, else now. */
function stampConditions(next: Condition[], old: Condition[], nowMs: number): Condition[] {
  const now = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return next.map((c) => {
    const out = { ...c };
    if (!out.lastUpdateTime) out.lastUpdateTime = now;
    if (!out.lastTransitionTime) out.lastTransitionTime = old.find((o) => o.type === c.type && o.status === c.status && o.lastTransitionTime)?.lastTransitionTime ?? now;
    return out;
  });
}

function validateConditions(next: Condition[], old: Condition[]): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  const oldBoth = old.some((c) => c.type === 'Approved') && old.some((c) => c.type === 'Denied');
  next.forEach((c, i) => {
    const at = `status.conditions[${i}]`;
    if (!c.type) errs.push({ field: `${at}.type`, type: 'Required value' });
    const allowed = TRUE_ONLY.has(c.type ?? '') ? ['True'] : ['False', 'True', 'Unknown'];
    if (!c.status) errs.push({ field: `${at}.status`, type: 'Required value' });
    else if (!allowed.includes(c.status)) errs.push({ field: `${at}.status`, type: 'Unsupported value', value: JSON.stringify(c.status), detail: `supported values: ${allowed.map((v) => JSON.stringify(v)).join(', ')}` });
    if (!oldBoth && c.type === 'Approved') {
      approved = true;
      if (denied) errs.push({ field: `${at}.type`, type: 'Invalid value', value: '"Approved"', detail: 'Approved and Denied conditions are mutually exclusive' });
    } else if (!oldBoth && c.type === 'Denied') {
      denied = true;
      if (approved) errs.push({ field: `${at}.type`, type: 'Invalid value', value: '"Denied"', detail: 'Approved and Denied conditions are mutually exclusive' });
    }
    if (c.type !== undefined && seen.has(c.type)) errs.push({ field: `${at}.type`, type: 'Duplicate value', value: JSON.stringify(c.type) });
    if (c.type !== undefined) seen.add(c.type);
  });
  for (const type of ['Approved', 'Denied', 'Failed']) {
    if (next.filter((c) => c.type === type).length < old.filter((c) => c.type === type).length) {
      errs.push({ field: 'status.conditions', type: 'Forbidden', detail: `updates may not remove a condition of type "${type}"` });
    }
  }
  return errs;
}
