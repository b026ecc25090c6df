// `kubectl create namespace NAME` and `kubectl create serviceaccount NAME`
// (kubectl pkg/cmd/create/create_namespace.go, create_serviceaccount.go).

import type { Generator } from './types';
import { nameFromArgs, newObject, objectMeta } from './util';

export const namespaceGenerator: Generator = {
  command: 'create namespace',
  aliases: ['ns'],
  usage: 'namespace NAME [--dry-run=server|client|none]',
  short: 'Create a namespace with the specified name',
  example: '  # Create a new namespace named my-namespace\n  kubectl create namespace my-namespace',
  flags: [],
  build(args, _raw, _ctx, argsLenAtDash) {
    const name = nameFromArgs(args, argsLenAtDash, 'create namespace');
    return { object: newObject('Namespace', 'v1', objectMeta(name), { spec: {}, status: {} }), warnings: [] };
  },
};

export const serviceAccountGenerator: Generator = {
  command: 'create serviceaccount',
  aliases: ['sa'],
  usage: 'serviceaccount NAME [--dry-run=server|client|none]',
  short: 'Create a service account with the specified name',
  example: '  # Create a new service account named my-service-account\n  kubectl create serviceaccount my-service-account',
  flags: [],
  build(args, _raw, ctx, argsLenAtDash) {
    const name = nameFromArgs(args, argsLenAtDash, 'create serviceaccount');
    return { object: newObject('ServiceAccount', 'v1', objectMeta(name, ctx.namespace)), warnings: [] };
  },
};
