// CertificateSigningRequests (printers.go printCertificateSigningRequest).
import { humanDuration } from '../duration';
import { doc } from './docs';
import { ageCol, col, nameCol, type KindTable } from './types';
import { ageOf, arr, obj, str } from './util';

/** extractCSRStatus: Denied over Approved over Pending, then ",Failed" and ",Issued". */
function csrCondition(o: Record<string, any>): string {
  const types = new Set(arr(obj(o.status).conditions).map((c) => str(obj(c).type)));
  let s = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) s += ',Failed';
  if (str(obj(o.status).certificate)) s += ',Issued';
  return s;
}

export const certificatesigningrequests: KindTable = {
  columns: [
    nameCol,
    ageCol,
    col('SignerName', doc('certificates/v1beta1', 'CertificateSigningRequestSpec', 'signerName')),
    col('Requestor', doc('certificates/v1beta1', 'CertificateSigningRequestSpec', 'request')),
    col('RequestedDuration', doc('certificates/v1beta1', 'CertificateSigningRequestSpec', 'expirationSeconds')),
    col('Condition', doc('certificates/v1beta1', 'CertificateSigningRequestStatus', 'conditions')),
  ],
  cells: (o, now) => {
    const spec = obj(o.spec);
    const seconds = spec.expirationSeconds;
    const duration = typeof seconds === 'number' ? humanDuration(seconds * 1000) : '<none>';
    return [str(o.metadata.name), ageOf(o, now), str(spec.signerName) || '<none>', str(spec.username), duration, csrCondition(o)];
  },
};
