// ConfigMap, Secret and ServiceAccount describers.
import type { KObject } from '../../api/types';
import { LEVEL_0, PrefixWriter } from './prefix-writer';
import { printAnnotationsMultiline, printLabelsMultiline, sortedKeys, str } from './format';
import { describeEvents } from './events';
import type { DescribeContext } from './context';

function base64Length(b64: string): number {
  return Buffer.from(b64, 'base64').length;
}

// Go iterates maps in random order here; keys are sorted so output is stable.
export function describeConfigMap(cm: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  w.write(LEVEL_0, `Name:\t${str(cm.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(cm.metadata.namespace)}\n`);
  printLabelsMultiline(w, 'Labels', cm.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', cm.metadata.annotations);
  w.write(LEVEL_0, '\nData\n====\n');
  for (const k of sortedKeys(cm.data)) {
    w.write(LEVEL_0, `${k}:\n----\n`);
    w.write(LEVEL_0, `${str(cm.data[k])}\n`);
    w.write(LEVEL_0, '\n');
  }
  w.write(LEVEL_0, '\nBinaryData\n====\n');
  for (const k of sortedKeys(cm.binaryData)) w.write(LEVEL_0, `${k}: ${base64Length(str(cm.binaryData[k]))} bytes\n`);
  w.write(LEVEL_0, '\n');
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}

export function describeSecret(secret: KObject): string {
  const w = new PrefixWriter();
  w.write(LEVEL_0, `Name:\t${str(secret.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(secret.metadata.namespace)}\n`);
  printLabelsMultiline(w, 'Labels', secret.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', secret.metadata.annotations);
  w.write(LEVEL_0, `\nType:\t${str(secret.type)}\n`);
  w.write(LEVEL_0, '\nData\n====\n');
  // stringData is write-only; the server merges it into data before storing.
  const data: Record<string, string> = { ...(secret.data ?? {}) };
  for (const [k, v] of Object.entries(secret.stringData ?? {})) data[k] = Buffer.from(String(v)).toString('base64');
  for (const k of sortedKeys(data)) {
    if (k === 'token' && secret.type === 'kubernetes.io/service-account-token') {
      w.write(LEVEL_0, `${k}:\t${Buffer.from(data[k], 'base64').toString()}\n`);
    } else {
      w.write(LEVEL_0, `${k}:\t${base64Length(data[k])} bytes\n`);
    }
  }
  return w.toString();
}

export function describeServiceAccount(sa: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  w.write(LEVEL_0, `Name:\t${str(sa.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(sa.metadata.namespace)}\n`);
  printLabelsMultiline(w, 'Labels', sa.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', sa.metadata.annotations);
  const secrets = ctx.list('Secret', sa.metadata.namespace);
  const existing = new Set(secrets.map((s) => str(s.metadata.name)));
  const tokens = secrets
    .filter(
      (s) =>
        s.type === 'kubernetes.io/service-account-token' &&
        s.metadata.annotations?.['kubernetes.io/service-account.name'] === sa.metadata.name &&
        s.metadata.annotations?.['kubernetes.io/service-account.uid'] === (sa.metadata.uid ?? ''),
    )
    .map((s) => str(s.metadata.name));
  const pull: string[] = (sa.imagePullSecrets ?? []).map((s: any) => str(s.name));
  const mount: string[] = (sa.secrets ?? []).map((s: any) => str(s.name));
  const missing = new Set([...pull, ...mount].filter((n) => !existing.has(n)));
  const empty = '                   ';
  // Headers sorted as strings: "Image pull secrets:" < "Mountable secrets: " < "Tokens:            ".
  const sections: [string, string[]][] = [
    ['Image pull secrets:', pull],
    ['Mountable secrets: ', mount],
    ['Tokens:            ', tokens],
  ];
  for (const [header, names] of sections) {
    if (names.length === 0) {
      w.write(LEVEL_0, `${header}\t<none>\n`);
      continue;
    }
    names.forEach((n, i) => w.write(LEVEL_0, `${i === 0 ? header : empty}\t${n}${missing.has(n) ? ' (not found)' : ''}\n`));
  }
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}
