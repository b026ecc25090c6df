// A PKCS#10 certificate signing request read at the ASN.1 level (RSA, ECDSA and Ed25519
// keys), its signature checked, with Go's x509 wording on failure: what kube-apiserver's
// CertificateSigningRequest validation checks and what the csr-signing controller signs.

import * as crypto from 'node:crypto';
import forge from 'node-forge';
import type { FieldError } from '../errors';
import { invalid, q } from './name-rules';
import { isDns1123Label, isDns1123Subdomain } from './string-rules';

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

export const children = (n: Node): Node[] => (Array.isArray(n.value) ? (n.value as Node[]) : []);
const oidOf = (n: Node): string => asn1.derToOid(forge.util.createBuffer(n.value as string));
export const bytes = (n: Node): Buffer => Buffer.from(asn1.toDer(n).getBytes(), 'binary');

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


// --- kube-apiserver's validation of a CertificateSigningRequest's spec (pkg/apis/certificates/validation) ---

const VALID_USAGES = ['any', 'cert sign', 'client auth', 'code signing', 'content commitment', 'crl sign', 'data encipherment', 'decipher only', 'digital signature', 'email protection', 'encipher only', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'key agreement', 'key encipherment', 'microsoft sgc', 'netscape sgc', 'ocsp signing', 's/mime', 'server auth', 'signing', 'timestamping'];
const LEGACY_UNKNOWN_SIGNER = 'kubernetes.io/legacy-unknown';

/** Go's %#v of a []byte, as field.Invalid prints spec.request. */
function goBytes(b: Buffer): string {
  return `[]byte{${[...b].map((x) => `0x${x.toString(16)}`).join(', ')}}`;
}

/** ValidateSignerName (certificates/validation): domain/path, each part DNS-1123. */
function signerNameErrors(field: string, name: string): FieldError[] {
  if (!name) return [{ field, type: 'Required value' }];
  const segments = name.split('/');
  if (segments.length !== 2) return [invalid(field, q(name), "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const [domain, path] = segments;
  const out: FieldError[] = [];
  if (domain.length > 253) out.push({ field, type: 'Too long', detail: 'must have at most 253 bytes' });
  const labels = domain.split('.');
  for (const lbl of labels) {
    const errs = isDns1123Label(lbl);
    if (errs.length) {
      for (const e of errs) out.push(invalid(field, q(domain), `validating label ${q(lbl)}: ${e}`));
      break;
    }
  }
  if (labels.length < 2) out.push(invalid(field, q(domain), 'should be a domain with at least two segments separated by dots'));
  for (const lbl of path.split('.')) {
    const errs = isDns1123Subdomain(lbl);
    if (errs.length) {
      for (const e of errs) out.push(invalid(field, q(path), `validating label ${q(lbl)}: ${e}`));
      break;
    }
  }
  if (name.length > 571) out.push({ field, type: 'Too long', detail: 'must have at most 571 bytes' });
  return out;
}

/** The spec checks of validateCertificateSigningRequest on create, in its order. */
export function csrSpecErrors(spec: Record<string, any> | undefined): FieldError[] {
  const s = spec ?? {};
  const out: FieldError[] = [];
  const request = Buffer.from(typeof s.request === 'string' ? s.request : '', 'base64');
  try {
    parseCertificateRequest(request.toString('latin1'));
  } catch (e) {
    out.push(invalid('spec.request', goBytes(request), (e as Error).message));
  }
  const usages: unknown[] = Array.isArray(s.usages) ? s.usages : [];
  if (!usages.length) out.push({ field: 'spec.usages', type: 'Required value' });
  usages.forEach((u, i) => {
    if (!VALID_USAGES.includes(String(u))) out.push({ field: `spec.usages[${i}]`, type: 'Unsupported value', value: q(u), detail: 'supported values: ' + VALID_USAGES.map((v) => q(v)).join(', ') });
  });
  usages.forEach((u, i) => {
    if (usages.indexOf(u) < i) out.push({ field: `spec.usages[${i}]`, type: 'Duplicate value', value: q(u) });
  });
  const signer = typeof s.signerName === 'string' ? s.signerName : '';
  if (signer === LEGACY_UNKNOWN_SIGNER) out.push(invalid('spec.signerName', q(signer), 'the legacy signerName is not allowed via this API version'));
  else out.push(...signerNameErrors('spec.signerName', signer));
  if (typeof s.expirationSeconds === 'number' && s.expirationSeconds < 600) out.push(invalid('spec.expirationSeconds', String(s.expirationSeconds), 'may not specify a duration less than 600 seconds (10 minutes)'));
  return out;
}
