// Certificates from PKCS#10 requests, signed by the cluster CA (what kube-controller-manager's
// local signer does with --cluster-signing-cert-file): the request's subject, public key and
// subjectAltNames, key usages from the CSR's spec.usages, no CA rights, the CA's key id as
// authority key id, valid from five minutes ago. The request is read at the ASN.1 level, so
// RSA, ECDSA and Ed25519 keys are all signed; the signature is checked first.

import * as crypto from 'node:crypto';
import forge from 'node-forge';
import { serial } from './pki';

const { asn1 } = forge;
type Node = forge.asn1.Asn1;

export interface ParsedRequest {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  emails: string[];
  ips: string[];
  uris: string[];
  /** The request's own nodes, copied into the certificate as they are. */
  subject: Node;
  publicKeyInfo: Node;
  sanExtension?: Node;
}

const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';
const OID_SAN = '2.5.29.17';
const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
/** Signature algorithms of requests: OID → the digest node's crypto.verify takes (null: Ed25519). */
const SIGNATURE_DIGEST: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
};

const children = (n: Node): Node[] => (Array.isArray(n.value) ? (n.value as Node[]) : []);
const oidOf = (n: Node): string => asn1.derToOid(forge.util.createBuffer(n.value as string));
const bytes = (n: Node): Buffer => Buffer.from(asn1.toDer(n).getBytes(), 'binary');

function ipText(raw: string): string {
  const b = Buffer.from(raw, 'binary');
  if (b.length === 4) return [...b].join('.');
  const groups: string[] = [];
  for (let i = 0; i < b.length; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':');
}

/** Parses and verifies a PEM "CERTIFICATE REQUEST"; throws with Go's x509 wording on failure. */
export function parseCertificateRequest(pem: string): ParsedRequest {
  const block = /-----BEGIN CERTIFICATE REQUEST-----([\s\S]*?)-----END CERTIFICATE REQUEST-----/.exec(pem);
  if (!block) throw new Error('PEM block type must be CERTIFICATE REQUEST');
  const der = Buffer.from(block[1].replace(/\s+/g, ''), 'base64');
  let root: Node;
  try {
    root = (asn1.fromDer as unknown as (der: string, o: object) => Node)(der.toString('binary'), { decodeBitStrings: false });
  } catch {
    throw new Error('x509: malformed certificate request');
  }
  const [info, algorithm, signature] = children(root);
  const [, subject, publicKeyInfo, attributes] = children(info ?? ({} as Node));
  if (!subject || !publicKeyInfo || !algorithm || !signature) throw new Error('x509: malformed certificate request');
  const algOid = oidOf(children(algorithm)[0]);
  if (!(algOid in SIGNATURE_DIGEST)) throw new Error('x509: cannot verify signature: algorithm unimplemented');
  const key = crypto.createPublicKey({ key: bytes(publicKeyInfo), format: 'der', type: 'spki' });
  const sig = Buffer.from((signature.value as string).slice(1), 'binary'); // BIT STRING: unused-bits byte first
  if (!crypto.verify(SIGNATURE_DIGEST[algOid], bytes(info), key, sig)) throw new Error(key.asymmetricKeyType === 'rsa' ? 'crypto/rsa: verification error' : 'x509: ECDSA verification failure');
  const out: ParsedRequest = { commonName: '', organizations: [], dnsNames: [], emails: [], ips: [], uris: [], subject, publicKeyInfo };
  for (const rdn of children(subject)) {
    for (const atv of children(rdn)) {
      const [oid, value] = children(atv);
      if (oidOf(oid) === OID_CN) out.commonName = String(value.value);
      if (oidOf(oid) === OID_O) out.organizations.push(String(value.value));
    }
  }
  for (const attr of attributes ? children(attributes) : []) {
    const [oid, values] = children(attr);
    if (!oid || oidOf(oid) !== OID_EXTENSION_REQUEST) continue;
    for (const ext of children(children(values)[0] ?? ({} as Node))) {
      const [extOid, ...rest] = children(ext);
      if (oidOf(extOid) !== OID_SAN) continue;
      out.sanExtension = ext;
      const names = asn1.fromDer((rest[rest.length - 1].value as string) ?? '');
      for (const gn of children(names)) {
        const v = String(gn.value);
        if (gn.type === 1) out.emails.push(v);
        else if (gn.type === 2) out.dnsNames.push(v);
        else if (gn.type === 6) out.uris.push(v);
        else if (gn.type === 7) out.ips.push(ipText(v));
      }
    }
  }
  return out;
}

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
