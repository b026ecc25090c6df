// `kubectl create configmap NAME [--from-file=[key=]source] [--from-literal=key1=value1] [--from-env-file=source]`
// (kubectl pkg/cmd/create/create_configmap.go).

import { CliError } from '../api/errors';
import { Flags } from './flags';
import { goQuote } from '../util/go-format';
import { configMapKeyErrors, forEachEnvFileSource, forEachFileSource, parseLiteralSource, sourceFlags } from './sources';
import type { Generator } from './types';
import { base64, encodeHash, goJsonMarshal, isValidUtf8, nameFromArgs, newObject, objectMeta, sortedMap } from './util';

const COMMAND = 'create configmap';

export const configMapGenerator: Generator = {
  command: COMMAND,
  aliases: ['cm'],
  usage: 'configmap NAME [--from-file=[key=]source] [--from-literal=key1=value1] [--dry-run=server|client|none]',
  short: 'Create a config map from a local file, directory or literal value',
  long: 'Create a config map based on a file, directory, or specified literal value.\n\n A single config map may package one or more key/value pairs.\n\n When creating a config map based on a file, the key will default to the basename of the file, and the value will default to the file content.  If the basename is an invalid key, you may specify an alternate key.\n\n When creating a config map based on a directory, each file whose basename is a valid key in the directory will be packaged into the config map.  Any directory entries except regular files are ignored (e.g. subdirectories, symlinks, devices, pipes, etc).',
  example: '  # Create a new config map named my-config based on folder bar\n  kubectl create configmap my-config --from-file=path/to/bar\n  \n  # Create a new config map named my-config with specified keys instead of file basenames on disk\n  kubectl create configmap my-config --from-file=key1=/path/to/bar/file1.txt --from-file=key2=/path/to/bar/file2.txt\n  \n  # Create a new config map named my-config with key1=config1 and key2=config2\n  kubectl create configmap my-config --from-literal=key1=config1 --from-literal=key2=config2\n  \n  # Create a new config map named my-config from the key=value pairs in the file\n  kubectl create configmap my-config --from-file=path/to/bar\n  \n  # Create a new config map named my-config from an env file\n  kubectl create configmap my-config --from-env-file=path/to/foo.env --from-env-file=path/to/bar.env',
  flags: [
    { name: 'from-file', type: 'stringSlice', help: 'Key file can be specified using its file path, in which case file basename will be used as configmap key, or optionally with a key and file path, in which case the given key will be used.  Specifying a directory will iterate each named file in the directory whose basename is a valid configmap key.' },
    { name: 'from-literal', type: 'stringArray', help: 'Specify a key and literal value to insert in configmap (i.e. mykey=somevalue)' },
    { name: 'from-env-file', type: 'stringSlice', help: 'Specify the path to a file to read lines of key=val pairs to create a configmap.' },
    { name: 'append-hash', type: 'bool', default: false, help: 'Append a hash of the configmap to its name.' },
  ],
  build(args, raw, ctx, argsLenAtDash) {
    const f = new Flags(this.flags, raw);
    const name = nameFromArgs(args, argsLenAtDash, COMMAND);
    const { files, literals, envFiles } = sourceFlags(f);

    const data: Record<string, string> = {};
    const binaryData: Record<string, Uint8Array> = {};
    const checkKey = (key: string) => {
      const errs = configMapKeyErrors(key);
      if (errs.length) throw new CliError(`${goQuote(key)} is not a valid key name for a ConfigMap: ${errs.join(',')}`);
      if (key in data) throw new CliError(`cannot add key ${goQuote(key)}, another key by that name already exists in Data for ConfigMap ${goQuote(name)}`);
      if (key in binaryData) throw new CliError(`cannot add key ${goQuote(key)}, another key by that name already exists in BinaryData for ConfigMap ${goQuote(name)}`);
    };
    const addLiteral = (key: string, value: string) => {
      checkKey(key);
      data[key] = value;
    };
    for (const l of literals) addLiteral(...parseLiteralSource(l));
    forEachFileSource(ctx, files, (key, bytes) => {
      if (isValidUtf8(bytes)) addLiteral(key, Buffer.from(bytes).toString('utf8'));
      else {
        checkKey(key);
        binaryData[key] = bytes;
      }
    });
    forEachEnvFileSource(ctx, envFiles, 'env config file cannot be a directory', addLiteral);

    const sortedData = sortedMap(data);
    const sortedBinary = sortedMap(Object.fromEntries(Object.entries(binaryData).map(([k, v]) => [k, base64(v)])));
    let finalName = name;
    if (f.bool('append-hash')) {
      const enc: Record<string, unknown> = {};
      if (Object.keys(sortedBinary).length) enc.binaryData = sortedBinary;
      enc.data = sortedData;
      enc.kind = 'ConfigMap';
      enc.name = name;
      finalName = `${name}-${encodeHash(goJsonMarshal(enc))}`;
    }
    const rest: Record<string, unknown> = {};
    if (Object.keys(sortedData).length) rest.data = sortedData;
    if (Object.keys(sortedBinary).length) rest.binaryData = sortedBinary;
    return { object: newObject('ConfigMap', 'v1', objectMeta(finalName, ctx.namespace), rest), warnings: [] };
  },
};
