// `kubectl create secret docker-registry NAME --docker-username=user --docker-password=password --docker-email=email [--docker-server=string] [--from-file=[key=]source]`
// (kubectl pkg/cmd/create/create_secret_docker.go).

import { CliError } from '../api/errors';
import { Flags } from './flags';
import { SecretData, utf8 } from './secret-data';
import { forEachFileSource } from './sources';
import type { Generator } from './types';
import { goJsonMarshal, nameFromArgs, newObject, objectMeta } from './util';

const COMMAND = 'create secret docker-registry';
const DOCKER_CONFIG_JSON_KEY = '.dockerconfigjson';

export const secretDockerRegistryGenerator: Generator = {
  command: COMMAND,
  usage: 'docker-registry NAME --docker-username=user --docker-password=password --docker-email=email [--docker-server=string] [--from-file=[key=]source] [--dry-run=server|client|none]',
  short: 'Create a secret for use with a Docker registry',
  long: 'Create a new secret for use with Docker registries.\n        \n        Dockercfg secrets are used to authenticate against Docker registries.\n        \n        When using the Docker command line to push images, you can authenticate to a given registry by running:\n        \'$ docker login DOCKER_REGISTRY_SERVER --username=DOCKER_USER --password=DOCKER_PASSWORD --email=DOCKER_EMAIL\'.\n        \n That produces a ~/.dockercfg file that is used by subsequent \'docker push\' and \'docker pull\' commands to authenticate to the registry. The email address is optional.\n\n        When creating applications, you may have a Docker registry that requires authentication.  In order for the\n        nodes to pull images on your behalf, they must have the credentials.  You can provide this information\n        by creating a dockercfg secret and attaching it to your service account.',
  example: '  # If you do not already have a .dockercfg file, create a dockercfg secret directly\n  kubectl create secret docker-registry my-secret --docker-server=DOCKER_REGISTRY_SERVER --docker-username=DOCKER_USER --docker-password=DOCKER_PASSWORD --docker-email=DOCKER_EMAIL\n  \n  # Create a new secret named my-secret from ~/.docker/config.json\n  kubectl create secret docker-registry my-secret --from-file=path/to/.docker/config.json',
  flags: [
    { name: 'docker-username', type: 'string', help: 'Username for Docker registry authentication' },
    { name: 'docker-password', type: 'string', help: 'Password for Docker registry authentication' },
    { name: 'docker-email', type: 'string', help: 'Email for Docker registry' },
    { name: 'docker-server', type: 'string', default: 'https://index.docker.io/v1/', help: 'Server location for Docker registry' },
    { name: 'from-file', type: 'stringSlice', help: 'Key files can be specified using their file path, in which case a default name of .dockerconfigjson will be given to them, or optionally with a name and file path, in which case the given name will be used. Specifying a directory will iterate each named file in the directory that is a valid secret key. For this command, the key should always be .dockerconfigjson.' },
    { name: 'append-hash', type: 'bool', default: false, help: 'Append a hash of the secret to its name.' },
  ],
  build(args, raw, ctx, argsLenAtDash) {
    const f = new Flags(this.flags, raw);
    const name = nameFromArgs(args, argsLenAtDash, COMMAND);
    // A bare path gets the .dockerconfigjson key.
    const files = f.list('from-file').map((s) => (s.includes('=') ? s : `${DOCKER_CONFIG_JSON_KEY}=${s}`));
    const username = f.str('docker-username');
    const password = f.str('docker-password');
    const server = f.str('docker-server');
    if (files.length === 0 && (!username || !password || !server))
      throw new CliError('either --from-file or the combination of --docker-username, --docker-password and --docker-server is required');
    const type = 'kubernetes.io/dockerconfigjson';
    const data = new SecretData();
    if (files.length) forEachFileSource(ctx, files, (k, bytes) => data.add(k, bytes));
    else {
      const entry: Record<string, string> = { username, password };
      const email = f.str('docker-email');
      if (email) entry.email = email;
      entry.auth = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
      data.entries[DOCKER_CONFIG_JSON_KEY] = utf8(goJsonMarshal({ auths: { [server]: entry } }));
    }
    const finalName = f.bool('append-hash') ? data.hashName(name, type) : name;
    const object = newObject('Secret', 'v1', objectMeta(finalName, ctx.namespace), { data: data.encoded(), type });
    if (!object.data) delete object.data;
    return { object, warnings: [] };
  },
};
