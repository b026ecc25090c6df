// CertificateSigningRequests (registry/certificates/certificates/strategy.go): the
// requestor's identity is the server's to record (spec.username, uid, groups, extra from
// the authenticated user, whatever the body said), a new request starts with no status, and
// the request must be a signed PKCS#10 request for a valid signer; an update of the object changes neither its spec nor its status (approval and the signed
// certificate are subresource writes).

import { DEFAULT_ADMIN } from '../../rbac/authorizer';
import type { KindStrategy, Requester } from './types';

export const csrStrategy: KindStrategy = {
  async validate(csr) {
    // The request is parsed (node-forge) only when a CSR is written.
    const { csrSpecErrors } = await import('../validation/csr-request');
    return csrSpecErrors(csr.spec);
  },
  prepareStatusOnCreate(obj) {
    obj.status = {};
  },
  async prepareForCreate(_host, csr, user) {
    // The CLI in this process acts with its kubeconfig's credentials: the cluster admin.
    const who: Requester = user ?? DEFAULT_ADMIN;
    const spec = (csr.spec ??= {});
    delete spec.username;
    delete spec.uid;
    delete spec.groups;
    delete spec.extra;
    spec.username = who.name;
    if (who.uid) spec.uid = who.uid;
    spec.groups = [...who.groups];
    if (who.extra && Object.keys(who.extra).length) spec.extra = who.extra;
  },
  prepareForUpdate(_host, current, next) {
    next.spec = current.spec;
  },
};
