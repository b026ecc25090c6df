// `kubesim diff -f FILE`: for each object, the live object against what `apply` would make
// of it (the apply result through a server-side dry run), written as YAML into kubectl's
// LIVE-*/MERGED-* directories and compared with `diff -u -N` (or $KUBECTL_EXTERNAL_DIFF).
// Exit codes as kubectl: 0 no differences, 1 differences, >1 an error.

import { mkdtempSync, rmSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import { deepCopy, type KObject } from '../api/types';
import { objectPath, resourcePath, type ResourceType } from '../api/resources';
import type { CliContext } from './context';
import type { Program } from './root';
import type { FileFlags } from './manifest-input';
import { collect } from './flags/collect';
import { declareFlagTypes, declareUsageFlagErrors } from './flags/pflag';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { FIELD_MANAGER_HELP, kubectlHelp } from './kubectl-help';
import { PRUNE_ALLOWLIST_HELP } from './prune';
import { PrintedError, formatApiError, formatError } from './format-error';

const DIFF_LONG = `Diff configurations specified by file name or stdin between the current online configuration, and the configuration as it would be if applied.

 The output is always YAML.

 KUBECTL_EXTERNAL_DIFF environment variable can be used to select your own diff command. Users can use external commands with params too, example: KUBECTL_EXTERNAL_DIFF="colordiff -N -u"

 By default, the "diff" command available in your path will be run with the "-u" (unified diff) and "-N" (treat absent files as empty) options.

 Exit status: 0 No differences were found. 1 Differences were found. >1 Kubectl or diff failed with an error.

 Note: KUBECTL_EXTERNAL_DIFF, if used, is expected to follow that convention.`;

const DIFF_EXAMPLE = `  # Diff resources included in pod.json
  kubectl diff -f pod.json
  
  # Diff file read from stdin
  cat service.yaml | kubectl diff -f -`;

interface DiffFlags extends FileFlags {
  selector?: string;
  serverSide?: boolean;
  forceConflicts?: boolean;
  fieldManager?: string;
  showManagedFields?: boolean;
  prune?: boolean;
  pruneAllowlist?: string[];
  concurrency?: string;
}

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('diff')
    .description('Diff the live version against a would-be applied version')
    .argument('[args...]')
    // Objects are diffed one by one: the output (a diff of two sorted directories) is the same at any concurrency.
    .option('--concurrency <n>', 'Number of objects to process in parallel when diffing against the live version. Larger number = faster, but more memory, I/O and CPU over that shorter period of time.', '1')
    .option('--field-manager <name>', FIELD_MANAGER_HELP)
    .option('--force-conflicts', 'If true, server-side apply will force the changes against conflicts.')
    .option('--prune', 'Include resources that would be deleted by pruning. Can be used with -l and default shows all resources would be pruned')
    .option('--prune-allowlist <gvk>', PRUNE_ALLOWLIST_HELP, collect, [])
    .option('--server-side', 'If true, apply runs in the server instead of the client.')
    .option('--show-managed-fields', 'If true, include managed fields in the diff.');
  addResourceBuilderFlags(cmd, { filename: 'Filename, directory, or URL to files contains the configuration to diff', kustomize: true, recursive: true, selector: true });
  declareFlagTypes(cmd, { concurrency: 'int' });
  kubectlHelp(cmd, p.name, { long: DIFF_LONG, example: DIFF_EXAMPLE, use: 'diff -f FILENAME' }, { 'field-manager': "'kubectl-client-side-apply'", concurrency: '1' }).action(
    p.action(async (ctx, args: string[], flags: DiffFlags) => {
      try {
        if (args.length) throw new CliError(`Unexpected args: [${args.join(' ')}]\nSee '${p.name} diff -h' for help and examples`);
        return await runDiff(ctx, flags);
      } catch (e) {
        // cmdutil.CheckDiffErr: kubectl's error text, its exit code plus one (1 means "differences").
        throw new PrintedError(formatError(e), ((e as { exitCode?: number }).exitCode ?? 1) + 1);
      }
    }),
  );
  // diff's SetFlagErrorFunc: pflag's errors as a usage error, through CheckDiffErr.
  declareUsageFlagErrors(cmd, 2);
}

/** kubectl's file name for an object: `[group.]version.Kind.namespace.name`. */
export function diffFileName(type: ResourceType, version: string, namespace: string | undefined, name: string): string {
  return `${type.group ? type.group + '.' : ''}${version}.${type.kind}.${namespace ?? ''}.${name}`;
}

/** What kubectl diff leaves out of both sides: managedFields (the server's dry run bumps generation, shown). */
export function maskForDiff(obj: KObject | undefined): KObject | undefined {
  if (!obj) return undefined;
  const o = deepCopy(obj) as KObject;
  if (o.metadata) delete o.metadata.managedFields;
  return o;
}

/** Secret values are never shown: `***`, or `*** (before)` / `*** (after)` where they differ. */
export function maskSecrets(live: KObject | undefined, merged: KObject | undefined): void {
  const isSecret = (o?: KObject) => o?.kind === 'Secret' && (!o.apiVersion || o.apiVersion === 'v1');
  if (!isSecret(live) && !isSecret(merged)) return;
  const a: Record<string, string> | undefined = live?.data;
  const b: Record<string, string> | undefined = merged?.data;
  for (const k of new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])) {
    const differ = a?.[k] !== b?.[k];
    if (a && k in a) a[k] = differ ? '*** (before)' : '***';
    if (b && k in b) b[k] = differ ? '*** (after)' : '***';
  }
}

export async function runDiff(ctx: CliContext, flags: DiffFlags): Promise<number> {
  if (flags.forceConflicts && !flags.serverSide) throw new CliError('--force-conflicts only works with --server-side');
  const manager = flags.fieldManager ?? (flags.serverSide ? 'kubectl' : 'kubectl-client-side-apply');
  const { loadInput, prepareDocs, setNamespace, validateFileFlags } = await import('./manifest-input');
  validateFileFlags(flags);
  if (!(flags.filename ?? []).length && !flags.kustomize) throw new CliError('must specify one of -f and -k');
  const api = await ctx.api();
  // --as: each of kubectl's requests authorized as the user it names (the live GET first)
  const check = await (await import('./impersonation')).requestCheck(ctx.flags, api);
  // Complete parses the allowlist before Run reads a file.
  const pruneSource = flags.prune ? await (await import('./object-source')).localSource(ctx, api) : undefined;
  const pruneTypes = pruneSource ? await (await import('./prune')).pruneTypes(pruneSource, flags.pruneAllowlist) : undefined;
  const { computeApply } = await import('../api/apply/compute-apply');
  const { toYaml } = await import('../printers/yaml');
  const { spawnSync } = await import('node:child_process');
  const { load } = await loadInput(ctx, flags, 'diff');
  // diff's Builder has no schema (diff has no --validate) and its Visit stops at the first error;
  // a file without objects is no error (nothing differs).
  const prepared = await prepareDocs(ctx, api, load, 'diff', { ...flags, validate: false }, { allowEmpty: true });
  if (prepared.errors.length) throw new PrintedError(prepared.errors[0], 1);
  // -l picks the file's objects by their labels (LabelSelectorParam on a file builder).
  const { parseLabelSelector, matchesLabels } = await import('../api/selectors');
  const selector = flags.selector ? parseLabelSelector(flags.selector) : undefined;
  const items = selector ? prepared.items.filter((i) => matchesLabels(selector, i.object.metadata?.labels)) : prepared.items;
  const visited: KObject[] = [];
  const mask = (o: KObject | undefined) => (flags.showManagedFields ? o && (deepCopy(o) as KObject) : maskForDiff(o));

  const liveDir = mkdtempSync(join(tmpdir(), 'LIVE-'));
  const mergedDir = mkdtempSync(join(tmpdir(), 'MERGED-'));
  try {
    for (const item of items) {
      const namespace = setNamespace(ctx, item);
      const obj = item.object;
      const name = obj.metadata?.name;
      if (!name) throw new CliError('resource name may not be empty');
      await check('GET', objectPath(item.type, namespace, name));
      const live = await api.tryGet(item.type, namespace, name);
      if (live) visited.push(live);
      else if (item.type.namespaced && namespace) visited.push({ ...obj, metadata: { ...obj.metadata, namespace } });
      let merged: KObject;
      try {
        // the dry run: kubectl's server-side apply or patch of what exists, a create of what does not
        await (live || flags.serverSide ? check('PATCH', objectPath(item.type, namespace, name), { dryRun: 'All' }) : check('POST', resourcePath(item.type, namespace), { dryRun: 'All' }));
        if (flags.serverSide) {
          // InfoObject.Merged with --server-side: an apply patch, dry run, as this manager.
          merged = (await api.apply(item.type, { ...obj, metadata: { ...obj.metadata, namespace } }, { fieldManager: manager, force: Boolean(flags.forceConflicts), dryRun: true })).object;
          if (live) merged.metadata.resourceVersion = live.metadata.resourceVersion;
        } else {
          const decision = computeApply(obj, live, { annotate: false });
          if (!live) merged = await api.create(decision.result, { dryRun: true, fieldManager: manager });
          else if (decision.action === 'unchanged') merged = live;
          else {
            merged = await api.update({ ...decision.result, metadata: { ...decision.result.metadata, resourceVersion: live.metadata.resourceVersion } }, { dryRun: true, fieldManager: manager });
            merged.metadata.resourceVersion = live.metadata.resourceVersion;
          }
        }
      } catch (e) {
        if (e instanceof ApiError) throw new PrintedError(formatApiError(e), 1);
        throw e;
      }
      const version = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[1] : obj.apiVersion;
      const file = diffFileName(item.type, version, namespace, name);
      const l = mask(live);
      const m = mask(merged)!;
      maskSecrets(l, m);
      if (l) writeFileSync(join(liveDir, file), toYaml(l));
      writeFileSync(join(mergedDir, file), toYaml(m));
    }
    if (pruneTypes) {
      // What --prune would delete: on the LIVE side only, printed as it is (kubectl's differ.From.Print).
      const { pruneCandidates } = await import('./prune');
      for await (const { type, obj } of pruneCandidates(pruneSource!, pruneTypes, visited, flags.selector)) {
        const version = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[1] : obj.apiVersion;
        writeFileSync(join(liveDir, diffFileName(type, version, obj.metadata.namespace, obj.metadata.name!)), toYaml(obj));
      }
    }
    return runDiffProgram(ctx, liveDir, mergedDir, spawnSync);
  } finally {
    rmSync(liveDir, { recursive: true, force: true });
    rmSync(mergedDir, { recursive: true, force: true });
  }
}

function runDiffProgram(ctx: CliContext, liveDir: string, mergedDir: string, spawnSync: typeof import('node:child_process').spawnSync): number {
  const external = process.env.KUBECTL_EXTERNAL_DIFF?.trim();
  let command = 'diff';
  let args = ['-u', '-N'];
  if (external) {
    const parts = external.split(/\s+/);
    // kubectl only passes on flag-like arguments made of safe characters.
    if (!/^[a-zA-Z0-9._\/-]+$/.test(parts[0])) throw new CliError(`invalid diff program: ${parts[0]}`);
    command = parts[0];
    args = parts.slice(1).filter((a) => /^-[-a-zA-Z0-9=]*$/.test(a));
  }
  const r = spawnSync(command, [...args, liveDir, mergedDir], { encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT' && !external) {
    const { unifiedDirDiff } = builtin();
    const text = unifiedDirDiff(liveDir, mergedDir);
    ctx.out(text);
    return text ? 1 : 0;
  }
  if (r.error) throw new CliError(`failed to run "${command}": ${r.error.message}`);
  ctx.out(r.stdout ?? '');
  if (r.stderr) ctx.err(r.stderr);
  // diff: 0 same, 1 different, 2+ trouble — kubectl passes these on.
  return r.status ?? 2;
}

/** A small unified diff for systems without `diff` (headers as `diff -u -N` on directories). */
function builtin() {
  const lcsDiff = (a: string[], b: string[]) => {
    const n = a.length;
    const m = b.length;
    const dp: number[][] = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
    const ops: { t: ' ' | '-' | '+'; s: string; ai: number; bi: number }[] = [];
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] === b[j]) ops.push({ t: ' ', s: a[i], ai: i++, bi: j++ });
      else if (i < n && (j >= m || dp[i + 1][j] >= dp[i][j + 1])) ops.push({ t: '-', s: a[i], ai: i++, bi: j });
      else ops.push({ t: '+', s: b[j], ai: i, bi: j++ });
    }
    return ops;
  };
  const hunks = (a: string[], b: string[]) => {
    const ops = lcsDiff(a, b);
    const out: string[] = [];
    let k = 0;
    while (k < ops.length) {
      if (ops[k].t === ' ') {
        k++;
        continue;
      }
      let start = Math.max(0, k - 3);
      let end = k;
      while (end < ops.length) {
        if (ops[end].t !== ' ') {
          end++;
          continue;
        }
        let run = 0;
        while (end + run < ops.length && ops[end + run].t === ' ') run++;
        if (end + run >= ops.length || run > 6) {
          end = Math.min(ops.length, end + 3);
          break;
        }
        end += run;
      }
      const slice = ops.slice(start, end);
      const aLen = slice.filter((o) => o.t !== '+').length;
      const bLen = slice.filter((o) => o.t !== '-').length;
      const aStart = aLen ? slice.find((o) => o.t !== '+')!.ai + 1 : slice[0].ai;
      const bStart = bLen ? slice.find((o) => o.t !== '-')!.bi + 1 : slice[0].bi;
      out.push(`@@ -${aStart},${aLen} +${bStart},${bLen} @@`);
      for (const o of slice) out.push(o.t + o.s);
      k = end;
      start = end;
    }
    return out;
  };
  const lines = (p: string) => {
    try {
      const t = readFileSync(p, 'utf8');
      return t === '' ? [] : t.replace(/\n$/, '').split('\n');
    } catch {
      return [];
    }
  };
  return {
    unifiedDirDiff(liveDir: string, mergedDir: string): string {
      const names = [...new Set([...readdirSync(liveDir), ...readdirSync(mergedDir)])].sort();
      let out = '';
      for (const n of names) {
        const a = lines(join(liveDir, n));
        const b = lines(join(mergedDir, n));
        const h = hunks(a, b);
        if (!h.length) continue;
        out += `diff -u -N ${join(liveDir, n)} ${join(mergedDir, n)}\n--- ${join(liveDir, n)}\n+++ ${join(mergedDir, n)}\n${h.join('\n')}\n`;
      }
      return out;
    },
  };
}
