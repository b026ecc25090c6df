// `kubectl create secret generic NAME [--type=string] [--from-file=[key=]source] [--from-literal=key1=value1]`
// (kubectl pkg/cmd/create/create_secret.go).

import { Flags } from './flags';
import { SecretData, utf8 } from './secret-data';
import { forEachEnvFileSource, forEachFileSource, parseLiteralSource, sourceFlags } from './sources';
import type { Generator } from './types';
import { nameFromArgs, newObject, objectMeta } from './util';

const COMMAND = 'create secret generic';

export const secretGenericGenerator: Generator = {
  command: COMMAND,
  usage: 'generic NAME [--type=string] [--from-file=[key=]source] [--from-literal=key1=value1] [--dry-run=server|client|none]',
  short: 'Create a secret from a local file, directory, or literal value',
  long: 'Create a secret based on a file, directory, or specified literal value.\n\n A single secret may package one or more key/value pairs.\n\n When creating a secret based on a file, the key will default to the basename of the file, and the value will default to the file content. If the basename is an invalid key or you wish to chose your own, you may specify an alternate key.\n\n When creating a secret based on a directory, each file whose basename is a valid key in the directory will be packaged into the secret. Any directory entries except regular files are ignored (e.g. subdirectories, symlinks, devices, pipes, etc).',
  example: '  # Create a new secret named my-secret with keys for each file in folder bar\n  kubectl create secret generic my-secret --from-file=path/to/bar\n  \n  # Create a new secret named my-secret with specified keys instead of names on disk\n  kubectl create secret generic my-secret --from-file=ssh-privatekey=path/to/id_rsa --from-file=ssh-publickey=path/to/id_rsa.pub\n  \n  # Create a new secret named my-secret with key1=supersecret and key2=topsecret\n  kubectl create secret generic my-secret --from-literal=key1=supersecret --from-literal=key2=topsecret\n  \n  # Create a new secret named my-secret using a combination of a file and a literal\n  kubectl create secret generic my-secret --from-file=ssh-privatekey=path/to/id_rsa --from-literal=passphrase=topsecret\n  \n  # Create a new secret named my-secret from env files\n  kubectl create secret generic my-secret --from-env-file=path/to/foo.env --from-env-file=path/to/bar.env',
  flags: [
    { name: 'from-file', type: 'stringSlice', help: 'Key files can be specified using their file path, in which case a default name will be given to them, or optionally with a name and file path, in which case the given name will be used.  Specifying a directory will iterate each named file in the directory that is a valid secret key.' },
    { name: 'from-literal', type: 'stringArray', help: 'Specify a key and literal value to insert in secret (i.e. mykey=somevalue)' },
    { name: 'from-env-file', type: 'stringSlice', help: 'Specify the path to a file to read lines of key=val pairs to create a secret.' },
    { name: 'type', type: 'string', help: 'The type of secret to create' },
    { name: 'append-hash', type: 'bool', default: false, help: 'Append a hash of the secret to its name.' },
  ],
  build(args, raw, ctx, argsLenAtDash) {
    const f = new Flags(this.flags, raw);
    const name = nameFromArgs(args, argsLenAtDash, COMMAND);
    const { files, literals, envFiles } = sourceFlags(f);
    const data = new SecretData();
    for (const l of literals) {
      const [k, v] = parseLiteralSource(l);
      data.add(k, utf8(v));
    }
    forEachFileSource(ctx, files, (k, bytes) => data.add(k, bytes));
    forEachEnvFileSource(ctx, envFiles, 'env secret file cannot be a directory', (k, v) => data.add(k, utf8(v)));
    const type = f.str('type');
    const finalName = f.bool('append-hash') ? data.hashName(name, type) : name;
    const rest: Record<string, unknown> = {};
    const encoded = data.encoded();
    if (encoded) rest.data = encoded;
    if (type) rest.type = type;
    return { object: newObject('Secret', 'v1', objectMeta(finalName, ctx.namespace), rest), warnings: [] };
  },
};
