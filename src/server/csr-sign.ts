// Certificates from PKCS#10 requests, signed by the cluster CA (what kube-controller-manager's
// local signer does with --cluster-signing-cert-file): the request's subject, public key and
// subjectAltNames, key usages from the CSR's spec.usages, no CA rights, the CA's key id as
// authority key id, valid from five minutes ago. The request is read at the ASN.1 level, so
// RSA, ECDSA and Ed25519 keys are all signed; the signature is checked first.

import * as crypto from 'node:crypto';
import forge from 'node-forge';
import { serial } from './pki';
import { bytes, children, parseCertificateRequest, type ParsedRequest } from '../api/validation/csr-request';

const { asn1 } = forge;
type Node = forge.asn1.Asn1;

export { parseCertificateRequest, type ParsedRequest };

/** spec.usages → X.509 key usage and extended key usage (certificates' keyUsagesFromStrings). */
const KEY_USAGE: Record<string, string> = {
  signing: 'digitalSignature',
  'digital signature': 'digitalSignature',
  'content commitment': 'nonRepudiation',
  'key encipherment': 'keyEncipherment',
  'key agreement': 'keyAgreement',
  'data encipherment': 'dataEncipherment',
  'cert sign': 'keyCertSign',
  'crl sign': 'cRLSign',
  'encipher only': 'encipherOnly',
  'decipher only': 'decipherOnly',
};
const EXT_KEY_USAGE: Record<string, string> = {
  'server auth': 'serverAuth',
  'client auth': 'clientAuth',
  'code signing': 'codeSigning',
  'email protection': 'emailProtection',
  's/mime': 'emailProtection',
  timestamping: 'timeStamping',
};

export interface SignOptions {
  ca: { cert: string; key: string };
  usages: string[];
  /** Validity from now (capped at the CA's own expiry). */
  durationMs: number;
  nowMs: number;
}

/** A PEM certificate for the request, signed by the CA. */
export function signRequest(req: ParsedRequest, o: SignOptions): string {
  const caCert = forge.pki.certificateFromPem(o.ca.cert);
  // forge builds the TBSCertificate around a placeholder key; the request's own subject and
  // public key (any algorithm) replace its nodes before signing.
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(crypto.createPublicKey(o.ca.key).export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(o.nowMs - 5 * 60_000);
  cert.validity.notAfter = new Date(Math.min(o.nowMs + o.durationMs, caCert.validity.notAfter.getTime()));
  cert.setIssuer(caCert.subject.attributes);
  const keyUsage: Record<string, boolean> = {};
  const extKeyUsage: Record<string, boolean> = {};
  for (const u of o.usages) {
    if (KEY_USAGE[u]) keyUsage[KEY_USAGE[u]] = true;
    if (EXT_KEY_USAGE[u]) extKeyUsage[EXT_KEY_USAGE[u]] = true;
  }
  const extensions: object[] = [];
  if (Object.keys(keyUsage).length) extensions.push({ name: 'keyUsage', critical: true, ...keyUsage });
  if (Object.keys(extKeyUsage).length) extensions.push({ name: 'extKeyUsage', ...extKeyUsage });
  extensions.push({ name: 'basicConstraints', cA: false, critical: true });
  extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() });
  cert.setExtensions(extensions);
  (cert as unknown as { siginfo: object }).siginfo = { algorithmOid: forge.pki.oids.sha256WithRSAEncryption, parameters: {} };
  const tbs: Node = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): Node }).getTBSCertificate(cert);
  const parts = children(tbs);
  parts[5] = req.subject;
  parts[6] = req.publicKeyInfo;
  if (req.sanExtension) children(children(parts[parts.length - 1])[0]).push(req.sanExtension);
  const tbsDer = bytes(tbs);
  const signature = crypto.sign('sha256', tbsDer, o.ca.key);
  const sha256WithRsa = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(forge.pki.oids.sha256WithRSAEncryption).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
  ]);
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    sha256WithRsa,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, String.fromCharCode(0) + signature.toString('binary')),
  ]);
  const b64 = bytes(certificate).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`;
}
