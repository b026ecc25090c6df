// The cluster's PKI, made once per cluster and kept in its state directory (pki/, 0700;
// keys and certificates 0600): a CA, the API server's serving certificate (127.0.0.1,
// ::1, localhost, kubernetes.default...), the admin's client certificate (kind's
// kubernetes-admin in kubeadm:cluster-admins) and a bearer token for the same admin.
// Keys are RSA 2048 from node's crypto; node-forge builds and signs the X.509 certificates.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import forge from 'node-forge';
import { pkiDir } from './pki-paths';

export { localSocketPath, pkiDir } from './pki-paths';

export interface ClusterPki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  /** The admin's bearer token. */
  token: string;
}

export const ADMIN_USER = 'kubernetes-admin';
export const ADMIN_GROUP = 'kubeadm:cluster-admins';

const FILES = ['ca.crt', 'ca.key', 'apiserver.crt', 'apiserver.key', 'admin.crt', 'admin.key', 'token'] as const;

function rsaKey(): string {
  return crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
}

export function serial(): string {
  // Positive (leading bit clear), 16 random bytes: what x509 wants.
  const b = crypto.randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}

function certificate(opts: {
  keyPem: string;
  subject: forge.pki.CertificateField[];
  issuer?: { cert: forge.pki.Certificate; keyPem: string };
  days: number;
  extensions: object[];
}): forge.pki.Certificate {
  const priv = forge.pki.privateKeyFromPem(opts.keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(priv.n, priv.e);
  cert.serialNumber = serial();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 5 * 60_000);
  cert.validity.notAfter = new Date(now + opts.days * 86_400_000);
  cert.setSubject(opts.subject);
  cert.setIssuer(opts.issuer ? opts.issuer.cert.subject.attributes : opts.subject);
  cert.setExtensions([...opts.extensions, { name: 'subjectKeyIdentifier' }, ...(opts.issuer ? [{ name: 'authorityKeyIdentifier', keyIdentifier: opts.issuer.cert.generateSubjectKeyIdentifier().getBytes() }] : [])]);
  const signer = forge.pki.privateKeyFromPem(opts.issuer?.keyPem ?? opts.keyPem);
  cert.sign(signer as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return cert;
}

function writePrivate(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** The cluster CA's certificate and key (kube-controller-manager's --cluster-signing-*-file), if made. */
export function readSigningCa(clusterDir: string): { cert: string; key: string } | undefined {
  try {
    const dir = pkiDir(clusterDir);
    return { cert: fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8'), key: fs.readFileSync(path.join(dir, 'ca.key'), 'utf8') };
  } catch {
    return undefined;
  }
}

/** Reads the cluster's PKI, creating it on first use. */
export function ensurePki(clusterDir: string): ClusterPki {
  const dir = pkiDir(clusterDir);
  const read = () => Object.fromEntries(FILES.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')])) as Record<(typeof FILES)[number], string>;
  try {
    return toPki(read());
  } catch {
    /* not made yet (or half made): make it */
  }
  // Not {recursive}: a daemon whose cluster directory was just removed must not re-create it.
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  fs.chmodSync(dir, 0o700);
  const caKey = rsaKey();
  const ca = certificate({
    keyPem: caKey,
    subject: [{ name: 'commonName', value: 'kubernetes' }],
    days: 3650,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
    ],
  });
  const issuer = { cert: ca, keyPem: caKey };
  const serverKey = rsaKey();
  const server = certificate({
    keyPem: serverKey,
    subject: [{ name: 'commonName', value: 'kube-apiserver' }],
    issuer,
    days: 365,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: 'kubernetes' },
          { type: 2, value: 'kubernetes.default' },
          { type: 2, value: 'kubernetes.default.svc' },
          { type: 2, value: 'kubernetes.default.svc.cluster.local' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
          { type: 7, ip: '10.96.0.1' },
        ],
      },
    ],
  });
  const adminKey = rsaKey();
  const admin = certificate({
    keyPem: adminKey,
    subject: [
      { name: 'organizationName', value: ADMIN_GROUP },
      { name: 'commonName', value: ADMIN_USER },
    ],
    issuer,
    days: 365,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  const pem = (c: forge.pki.Certificate) => forge.pki.certificateToPem(c);
  const files: Record<(typeof FILES)[number], string> = {
    'ca.crt': pem(ca),
    'ca.key': caKey,
    'apiserver.crt': pem(server),
    'apiserver.key': serverKey,
    'admin.crt': pem(admin),
    'admin.key': adminKey,
    token: crypto.randomBytes(32).toString('base64url') + '\n',
  };
  // The token last: its presence marks a complete PKI.
  for (const f of FILES) writePrivate(path.join(dir, f), files[f]);
  return toPki(read());
}

function toPki(f: Record<(typeof FILES)[number], string>): ClusterPki {
  if (!f.token.trim()) throw new Error('incomplete PKI');
  return { caCert: f['ca.crt'], serverCert: f['apiserver.crt'], serverKey: f['apiserver.key'], adminCert: f['admin.crt'], adminKey: f['admin.key'], token: f.token.trim() };
}
