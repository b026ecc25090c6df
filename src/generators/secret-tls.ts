// `kubectl create secret tls NAME --cert=path/to/cert/file --key=path/to/key/file`
// (kubectl pkg/cmd/create/create_secret_tls.go). The pair is checked like Go's
// tls.X509KeyPair, with its error texts.

import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { CliError } from '../api/errors';
import { Flags } from './flags';
import { SecretData } from './secret-data';
import type { Generator, GeneratorContext } from './types';
import { fsErrorText, nameFromArgs, newObject, objectMeta } from './util';

const COMMAND = 'create secret tls';

export const secretTlsGenerator: Generator = {
  command: COMMAND,
  usage: 'tls NAME --cert=path/to/cert/file --key=path/to/key/file [--dry-run=server|client|none]',
  short: 'Create a TLS secret',
  long: 'Create a TLS secret from the given public/private key pair.\n\n The public/private key pair must exist beforehand. The public key certificate must be .PEM encoded and match the given private key.',
  example: '  # Create a new TLS secret named tls-secret with the given key pair\n  kubectl create secret tls tls-secret --cert=path/to/tls.crt --key=path/to/tls.key',
  flags: [
    { name: 'cert', type: 'string', help: 'Path to PEM encoded public key certificate.' },
    { name: 'key', type: 'string', help: 'Path to private key associated with given certificate.' },
    { name: 'append-hash', type: 'bool', default: false, help: 'Append a hash of the secret to its name.' },
  ],
  build(args, raw, ctx, argsLenAtDash) {
    const f = new Flags(this.flags, raw);
    const name = nameFromArgs(args, argsLenAtDash, COMMAND);
    const certPath = f.str('cert');
    const keyPath = f.str('key');
    if (!certPath || !keyPath) throw new CliError('key and cert must be specified');
    const cert = readOrThrow(ctx, certPath);
    const key = readOrThrow(ctx, keyPath);
    checkX509KeyPair(Buffer.from(cert).toString('latin1'), Buffer.from(key).toString('latin1'));
    const type = 'kubernetes.io/tls';
    const data = new SecretData();
    data.entries['tls.crt'] = cert;
    data.entries['tls.key'] = key;
    const finalName = f.bool('append-hash') ? data.hashName(name, type) : name;
    return { object: newObject('Secret', 'v1', objectMeta(finalName, ctx.namespace), { data: data.encoded(), type }), warnings: [] };
  },
};

function readOrThrow(ctx: GeneratorContext, path: string): Uint8Array {
  try {
    return ctx.readFile(path);
  } catch (e) {
    throw new CliError(`Cannot read file ${path}, open ${path}: ${fsErrorText(e)}`);
  }
}

interface PemBlock {
  type: string;
  text: string;
  der: Buffer;
}

/** pem.Decode repeatedly: every well-formed BEGIN/END block in order. */
export function decodePemBlocks(input: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([^\n-]*)-----\r?\n([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(input); m; m = re.exec(input)) {
    // Skip RFC 1421 headers ("Proc-Type: ...") before the base64 body.
    const body = m[2].replace(/^(?:[^\n:]+:[^\n]*\r?\n)+\r?\n/, '');
    const b64 = body.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) continue;
    out.push({ type: m[1], text: m[0], der: Buffer.from(b64, 'base64') });
  }
  return out;
}

/** tls.X509KeyPair's checks, throwing its messages. */
export function checkX509KeyPair(certPem: string, keyPem: string): void {
  const certBlocks = decodePemBlocks(certPem);
  const certs = certBlocks.filter((b) => b.type === 'CERTIFICATE');
  if (certs.length === 0) {
    const skipped = certBlocks.map((b) => b.type);
    if (skipped.length === 0) throw new CliError('tls: failed to find any PEM data in certificate input');
    if (skipped.length === 1 && skipped[0].endsWith('PRIVATE KEY'))
      throw new CliError('tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched');
    throw new CliError(`tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: [${skipped.join(' ')}]`);
  }
  const keyBlocks = decodePemBlocks(keyPem);
  const keyBlock = keyBlocks.find((b) => b.type === 'PRIVATE KEY' || b.type.endsWith(' PRIVATE KEY'));
  if (!keyBlock) {
    const skipped = keyBlocks.map((b) => b.type);
    if (skipped.length === 0) throw new CliError('tls: failed to find any PEM data in key input');
    if (skipped.length === 1 && skipped[0] === 'CERTIFICATE') throw new CliError('tls: found a certificate rather than a key in the PEM for the private key');
    throw new CliError(`tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping PEM blocks of the following types: [${skipped.join(' ')}]`);
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certs[0].der);
  } catch {
    throw new CliError('x509: malformed certificate');
  }
  let priv: KeyObject;
  try {
    priv = createPrivateKey(keyBlock.text);
  } catch {
    throw new CliError('tls: failed to parse private key');
  }
  if (x509.publicKey.asymmetricKeyType !== priv.asymmetricKeyType) throw new CliError('tls: private key type does not match public key type');
  if (!x509.checkPrivateKey(priv)) throw new CliError('tls: private key does not match public key');
}
