// `kubectl create configmap NAME [--from-file=[key=]source] [--from-literal=key1=value1] [--from-env-file=source]`
// (kubectl pkg/cmd/create/create_configmap.go).

import { CliError } from '../api/errors';
import { Flags } from './flags';
import { goQuote } from '../util/go-format';
import { configMapKeyErrors, forEachEnvFileSource, forEachFileSource, parseLiteralSource } from './sources';
import type { Generator } from './types';
import { base64, encodeHash, goJsonMarshal, isValidUtf8, nameFromArgs, newObject, objectMeta, sortedMap } from './util';

const COMMAND = 'create configmap';

export const configMapGenerator: Generator = {
  command: COMMAND,
  aliases: ['cm'],
  usage: 'configmap NAME [--from-file=[key=]source] [--from-literal=key1=value1] [--dry-run=server|client|none]',
  short: 'Create a config map from a local file, directory or literal value',
  flags: [
    { name: 'from-file', type: 'stringSlice', help: 'Key file can be specified using its file path, in which case file basename will be used as configmap key, or optionally with a key and file path, in which case the given key will be used.  Specifying a directory will iterate each named file in the directory whose basename is a valid configmap key.' },
    { name: 'from-literal', type: 'stringArray', help: 'Specify a key and literal value to insert in configmap (i.e. mykey=somevalue)' },
    { name: 'from-env-file', type: 'stringSlice', help: 'Specify the path to a file to read lines of key=val pairs to create a configmap.' },
    { name: 'append-hash', type: 'bool', default: false, help: 'Append a hash of the configmap to its name.' },
  ],
  build(args, raw, ctx, argsLenAtDash) {
    const f = new Flags(this.flags, raw);
    const name = nameFromArgs(args, argsLenAtDash, COMMAND);
    const files = f.list('from-file');
    const literals = f.list('from-literal');
    const envFiles = f.list('from-env-file');
    if (envFiles.length && (files.length || literals.length)) throw new CliError('from-env-file cannot be combined with from-file or from-literal');

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
