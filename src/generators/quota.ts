// `kubectl create quota NAME [--hard=key1=value1] [--scopes=Scope1,Scope2]`
// (kubectl pkg/cmd/create/create_quota.go).

import { CliError } from '../api/errors';
import { goParseQuantity } from '../api/quantity';
import { Flags } from './flags';
import type { Generator } from './types';
import { nameFromArgs, newObject, objectMeta, sortedMap } from './util';

export const quotaGenerator: Generator = {
  command: 'create quota',
  aliases: ['resourcequota'],
  usage: 'quota NAME [--hard=key1=value1,key2=value2] [--scopes=Scope1,Scope2] [--dry-run=server|client|none]',
  short: 'Create a quota with the specified name',
  long: 'Create a resource quota with the specified name, hard limits, and optional scopes.',
  example: '  # Create a new resource quota named my-quota\n  kubectl create quota my-quota --hard=cpu=1,memory=1G,pods=2,services=3,replicationcontrollers=2,resourcequotas=1,secrets=5,persistentvolumeclaims=10\n  \n  # Create a new resource quota named best-effort\n  kubectl create quota best-effort --hard=pods=100 --scopes=BestEffort',
  flags: [
    { name: 'hard', type: 'string', help: 'A comma-delimited set of resource=quantity pairs that define a hard limit.' },
    { name: 'scopes', type: 'string', help: 'A comma-delimited set of quota scopes that must all match each object tracked by the quota.' },
  ],
  build(args, raw, ctx, argsLenAtDash) {
    const f = new Flags(this.flags, raw);
    const name = nameFromArgs(args, argsLenAtDash, 'create quota');
    const spec: Record<string, unknown> = {};
    const hard = f.str('hard');
    if (hard) {
      const list: Record<string, string> = {};
      for (const stmt of hard.split(',')) {
        const parts = stmt.split('=');
        if (parts.length !== 2) throw new CliError(`Invalid argument syntax ${stmt}, expected <resource>=<value>`);
        // ParseQuantity's error as is; json.Marshal prints its String() (`+1` and `1.` kept as written).
        const parsed = goParseQuantity(parts[1]);
        if ('error' in parsed) throw new CliError(parsed.error);
        list[parts[0]] = parsed.text;
      }
      spec.hard = sortedMap(list);
    }
    const scopes = f.str('scopes');
    if (scopes) {
      const list = scopes.split(',');
      if (list.includes('')) throw new CliError('invalid resource quota scope ""');
      spec.scopes = list;
    }
    return { object: newObject('ResourceQuota', 'v1', objectMeta(name, ctx.namespace), { spec, status: {} }), warnings: [] };
  },
};
