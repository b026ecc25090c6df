// `kubesim get -f/-k`, as kubectl's Builder and get.Run do it: one Info per document in file
// order (a named one read from the server as a Table, a nameless one never fetched and printed
// by the client's default NAME/AGE handler), the read errors and the -n mismatches collected
// as the Builder's visitors nest them, then printed as get prints them.

import * as fs from 'node:fs';
import { CliError } from '../api/errors';
import { REVIEW_RESOURCES, kindGroup, objectPath, type ResourceType } from '../api/resources';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { ManifestDoc } from '../manifest/types';
import { goQuote } from '../util/go-format';
import type { CliContext } from './context';
import { PrintedError, checkErrOf, rawError, filterOut, flattenReduce, newAggregate, type GoError } from './format-error';
import type { GetFlags } from './get';

/** One object get prints: read from the server, or (`raw`) the file's nameless document. */
export interface FileInfo {
  type: ResourceType;
  object: KObject;
  raw: boolean;
  /** The document's apiVersion (with the type, its mapping). */
  apiVersion: string;
}

/** kubectl's singleItemImplied for -f/-k: one path that is not stdin or a directory. */
function singleItemImplied(flags: GetFlags): boolean {
  const files = flags.filename ?? [];
  if (flags.kustomize) return files.length === 0;
  if (files.length !== 1 || files[0] === '-') return false;
  try {
    return !fs.statSync(files[0]).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The Builder's infos for get, and its error: each -n mismatch (RequireNamespace, a Do()
 * helper, under ContinueOnError) in order, then the read errors (RetrieveLatest, inside the
 * paths' EagerVisitorList) as one aggregate; --ignore-not-found filters NotFound out.
 */
export async function fileInfos(ctx: CliContext, api: ApiServer, flags: GetFlags): Promise<{ infos: FileInfo[]; err?: GoError }> {
  const { loadInput, prepareDocs, namespaceMismatch } = await import('./manifest-input');
  const { load } = await loadInput(ctx, flags, 'get');
  const missing = load.errors.find((e) => e.code === 'path-not-found');
  if (missing) throw new CliError(missing.kubectlMessage);
  // -l filters the objects read (a FilteredVisitor); a bad selector fails before any document is read.
  const { parseLabelSelector, matchesLabels } = await import('../api/selectors');
  let selector: ReturnType<typeof parseLabelSelector> | undefined;
  try {
    selector = flags.selector ? parseLabelSelector(flags.selector) : undefined;
  } catch (e) {
    throw new CliError(`the provided selector ${goQuote(flags.selector!)} is not valid: ${(e as Error).message}`);
  }
  const { items, errors } = await prepareDocs(ctx, api, load, 'get', { validate: false });
  // The paths' visitors nest their errors (an aggregate in an aggregate): even one prints bare.
  if (errors.length) throw new PrintedError(errors.map((e) => `${rawError(e)}\n`).join(''));
  const infos: FileInfo[] = [];
  const visitErrs: GoError[] = [];
  const readErrs: GoError[] = [];
  for (const i of items) {
    const type = i.type;
    const name = i.object.metadata?.name ?? '';
    const own = type.namespaced ? i.object.metadata?.namespace || undefined : undefined;
    // SetNamespace: the file's namespace, else -n or the context's ("" with -A).
    const ns = type.namespaced ? own ?? (flags.allNamespaces ? '' : ctx.namespace) : undefined;
    const apiVersion = String(i.object.apiVersion);
    let info: FileInfo;
    if (!name) {
      // RetrieveLatest skips it: shown as the Builder leaves it, the namespace defaulted.
      const o = i.object;
      if (ns) o.metadata = { ...o.metadata, namespace: ns };
      else if (!Object.keys(o.metadata ?? {}).length && !hasOwnNode(i.doc, 'metadata')) delete (o as Partial<KObject>).metadata;
      info = { type, object: o, raw: true, apiVersion };
    } else if (ns === '') {
      readErrs.push(new CliError(`no namespace set on resource ${type.group}/${type.version}, Resource=${type.plural} ${goQuote(name)}`));
      continue;
    } else if (REVIEW_RESOURCES.includes(type)) {
      // Create-only: the server has no GET of a review (404).
      const [{ localRest }, { statusError }] = await Promise.all([import('./local-rest'), import('../client/rest-client')]);
      const res = await localRest(api, ctx.clusterDir, { method: 'GET', path: objectPath(type, ns, name) });
      readErrs.push(statusError({ status: res.status, body: res.text }));
      continue;
    } else {
      const obj = await api.tryGet(type, ns, name);
      if (!obj) {
        readErrs.push(await (await import('./flags/targets')).notFoundError(api, type, ns, name));
        continue;
      }
      info = { type, object: obj, raw: false, apiVersion };
    }
    if (selector && !matchesLabels(selector, info.object.metadata?.labels)) continue;
    // Read first, then checked against an explicit -n.
    const mismatch = flags.allNamespaces ? undefined : namespaceMismatch(ctx, own);
    if (mismatch) visitErrs.push(new CliError(mismatch));
    else infos.push(info);
  }
  const read = newAggregate(readErrs);
  const all = read ? [...visitErrs, read] : visitErrs;
  let err: GoError | undefined = all.length === 1 ? all[0] : newAggregate(all);
  if (flags.ignoreNotFound) err = filterOut(err, (e) => (e as { reason?: string }).reason === 'NotFound');
  return { infos, err };
}

/** get's Run for -f/-k (no watch, no subresource): stdout written, the error thrown as CheckErr prints it. */
export async function printFileInfos(ctx: CliContext, api: ApiServer, flags: GetFlags & { output?: string }, printer: ((objs: KObject[], list: boolean) => string) | undefined): Promise<number> {
  const { infos, err } = await fileInfos(ctx, api, flags);
  const { sortObjects, SortFieldNotFoundError } = await import('../printers/sort');
  if (printer) {
    // printGeneric: a single path's error is returned alone, nothing printed.
    const single = singleItemImplied(flags);
    if (err && single) throw new PrintedError(checkErrOf(err));
    const errs: GoError[] = err ? [err] : [];
    if (!(infos.length === 0 && flags.ignoreNotFound)) {
      let objs = infos.map((i) => i.object);
      const alone = single && objs.length === 1;
      try {
        // The SortingPrinter sorts a List's items (one object alone is not sorted).
        if (flags.sortBy && !alone && objs.length) objs = sortObjects(objs, flags.sortBy);
        ctx.out(printer(objs, !alone));
      } catch (e) {
        if (!(e instanceof SortFieldNotFoundError)) throw e;
        errs.push(new CliError(e.message));
      }
    }
    const reduced = flattenReduce(errs);
    if (reduced) throw new PrintedError(checkErrOf(reduced));
    return 0;
  }
  let order = infos;
  if (flags.sortBy && infos.length > 1) {
    // The RuntimeSorter sees each Info's object: a named one's is the server's Table.
    const views = infos.map((i) => (i.raw ? i.object : tableView(i.object)));
    try {
      const sorted = sortObjects(views, flags.sortBy);
      order = sorted.map((v) => infos[views.indexOf(v)]);
    } catch (e) {
      if (e instanceof SortFieldNotFoundError) throw new CliError(e.message);
      throw e;
    }
  }
  ctx.out(await renderInfos(api, order, flags, new Set(infos.map((i) => `${i.apiVersion}/${i.type.kind}`)).size > 1));
  if (err) throw new PrintedError(checkErrOf([err]));
  return 0;
}

/** What a GET as Table returns for one object (includeObject=Object, as get asks when sorting). */
function tableView(o: KObject): KObject {
  return { apiVersion: 'meta.k8s.io/v1', kind: 'Table', metadata: { resourceVersion: o.metadata.resourceVersion }, rows: [{ object: o }] } as unknown as KObject;
}

/**
 * get.Run's printing loop: a new printer (and tabwriter) whenever the mapping changes, a blank
 * line between them; within one, a server Table prints its header once, the default handler
 * (documents without a name, or every object with --server-print=false) its own once.
 */
async function renderInfos(api: ApiServer, infos: FileInfo[], flags: GetFlags & { output?: string }, withKind: boolean): Promise<string> {
  const { tableRows, layoutRows } = await import('../printers/table');
  const now = api.clock.now();
  let out = '';
  for (let i = 0; i < infos.length; ) {
    const type = infos[i].type;
    let j = i;
    while (j < infos.length && infos[j].type === type && infos[j].apiVersion === infos[i].apiVersion) j++;
    const crd = type.crd ? await api.tryGet(api.registry.forKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition'), undefined, type.crd) : undefined;
    const rows: string[][] = [];
    let tableHeaderDone = false;
    let defaultHeaderDone = false;
    for (const info of infos.slice(i, j)) {
      const byDefault = info.raw || flags.serverPrint === false;
      const header = !flags.noHeaders && !(byDefault ? defaultHeaderDone : tableHeaderDone);
      if (byDefault) defaultHeaderDone = true;
      else tableHeaderDone = true;
      const object = info.object.metadata ? info.object : { ...info.object, metadata: {} };
      rows.push(
        ...tableRows([object], {
          kind: type.kind,
          group: type.group,
          crd,
          wide: flags.output === 'wide',
          noHeaders: !header,
          showLabels: flags.showLabels,
          labelColumns: (flags.labelColumns ?? []).flatMap((l) => l.split(',')).filter(Boolean),
          allNamespaces: flags.allNamespaces && type.namespaced,
          kindPrefix: withKind || flags.showKind ? kindGroup(type) : undefined,
          now,
          clientDefault: byDefault,
        }),
      );
    }
    if (out && !flags.noHeaders) out += '\n';
    out += layoutRows(rows);
    i = j;
  }
  return out;
}

/** Whether the document wrote the field (the loader adds an empty metadata where it has none). */
function hasOwnNode(doc: ManifestDoc, field: string): boolean {
  const at = doc.positionOf([field]);
  const root = doc.positionOf([]);
  return !!at && (!root || at.line !== root.line || at.col !== root.col);
}
