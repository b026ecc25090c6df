// `kubesim validate [PATH...|-]`: strict offline validation for CI, with reports CI systems
// read. Exit codes: 0 all valid, 1 anything invalid (or skipped with --fail-on-skip, or
// nothing found without --allow-empty), 2 usage or I/O errors.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { Program } from './root';
import type { CliContext } from './context';
import { collect } from './flags/collect';
import { kubernetesVersionError } from '../api/validation/schema-version';

interface ValidateFlags {
  output: string[];
  crd: string[];
  ignoreMissingSchemas?: boolean;
  failOnSkip?: boolean;
  allowEmpty?: boolean;
  strict: boolean;
  summary?: boolean;
  verbose?: boolean;
  kubernetesVersion?: string;
}

/** A usage error: exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

export function register(program: Command, p: Program): void {
  program
    .command('validate')
    .description('Validate manifests offline (schemas, semantic checks, CRDs) and report for CI')
    .argument('[paths...]', 'Files, directories (recursive), glob patterns, or - for standard input')
    .option('-o, --output <format[=file]>', 'Output format, repeatable: text, json, junit, tap, sarif, github; FORMAT=FILE writes to a file', collect, [])
    .option('--crd <path>', 'CustomResourceDefinition file or directory used to validate custom resources (repeatable)', collect, [])
    .option('--ignore-missing-schemas', 'Skip (and report as skipped) kinds with no schema instead of failing')
    .option('--fail-on-skip', 'Exit 1 when any resource was skipped')
    .option('--allow-empty', 'Exit 0 when the inputs hold no resources')
    .option('--no-strict', 'Report unknown fields as warnings instead of errors')
    .option('--summary', 'Print only the summary line (text output)')
    .option('--verbose', 'Also list valid resources (text output)')
    .option('--kubernetes-version <version>', 'Kubernetes version to validate against, as kubeconform takes it (1.32.0, v1.32): the v1.32 API schemas are bundled; another version is an error')
    .addHelpText('after', `
Examples:
  # Validate a directory tree
  kubesim validate manifests/

  # Validate helm output and write SARIF for GitHub code scanning
  helm template ./chart | kubesim validate - -o text -o sarif=kubesim.sarif

  # Custom resources, with their CRDs
  kubesim validate --crd crds/ 'deploy/**/*.yaml' -o junit=report.xml`)
    .action(p.action(async (ctx, paths: string[], flags: ValidateFlags) => {
      const { formatReport } = await import('../validate/formatters');
      const outputs = await reportOutputs(flags.output);
      checkInputs(paths, flags, `${p.name} validate`);
      const { runValidate } = await import('../validate/run-validate');
      const { countResults } = await import('../validate/report');
      const stdin = paths.includes('-') || flags.crd.includes('-') ? ctx.streams.stdinText() : undefined;
      const report = await runValidate(paths, {
        crds: flags.crd, ignoreMissingSchemas: flags.ignoreMissingSchemas, strict: flags.strict, stdin,
      });
      await writeReports(ctx, outputs, (format, color) => formatReport(format, report, { color, verbose: flags.verbose, summaryOnly: flags.summary }));
      const c = countResults(report.results);
      if (c.resources === 0) return noResources(ctx, paths, flags.allowEmpty);
      if (c.invalid || c.errors) return 1;
      if (c.skipped && flags.failOnSkip) return 1;
      return 0;
    }));
}

type ReportFormat = (typeof import('../validate/formatters'))['FORMATS'][number];
type ReportOutput = { format: ReportFormat; file?: string };

/** `-o FORMAT[=FILE]`, repeatable (text by default), as validate and check take it. */
export async function reportOutputs(output: string[]): Promise<ReportOutput[]> {
  const { FORMATS } = await import('../validate/formatters');
  return (output.length ? output : ['text']).map((o) => {
    const eq = o.indexOf('=');
    const format = (eq < 0 ? o : o.slice(0, eq)) as ReportFormat;
    const file = eq < 0 ? undefined : o.slice(eq + 1);
    if (!FORMATS.includes(format)) throw new UsageError(`unknown output format "${format}": must be one of ${FORMATS.join(', ')}`);
    if (file === '') throw new UsageError(`-o ${format}=: missing file name`);
    return { format, file };
  });
}

/** The inputs' usage errors: none given, standard input twice, a Kubernetes version not bundled. */
export function checkInputs(paths: string[], flags: { crd: string[]; kubernetesVersion?: string }, command: string): void {
  if (paths.length === 0) throw new UsageError(`no input: pass files, directories or glob patterns, or - for standard input\nSee '${command} -h' for help and examples`);
  if (paths.filter((x) => x === '-').length + flags.crd.filter((x) => x === '-').length > 1) throw new UsageError('standard input (-) can be given only once');
  const versionError = flags.kubernetesVersion === undefined ? undefined : kubernetesVersionError(flags.kubernetesVersion);
  if (versionError) throw new UsageError(versionError);
}

/** Each report to standard output or its file (colour only on a terminal's standard output). */
export async function writeReports(ctx: CliContext, outputs: ReportOutput[], render: (format: ReportFormat, color: boolean) => string): Promise<void> {
  const color = ctx.streams.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  const { writeFile } = await import('node:fs/promises');
  for (const o of outputs) {
    const text = render(o.format, o.file ? false : color);
    if (!o.file || o.file === '-') ctx.out(text);
    else {
      try {
        await writeFile(o.file, text);
      } catch (e) {
        throw new CliError(`cannot write ${o.file}: ${(e as Error).message}`, 2);
      }
    }
  }
}

/** The exit code when the inputs hold no resources: 0 with --allow-empty, else 1 and why. */
export function noResources(ctx: CliContext, paths: string[], allowEmpty: boolean | undefined): number {
  if (allowEmpty) return 0;
  ctx.err(`error: no resources found in ${paths.join(', ')} (pass --allow-empty to accept this)\n`);
  return 1;
}
