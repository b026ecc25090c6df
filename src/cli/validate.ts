// `kubesim validate [PATH...|-]`: strict offline validation for CI, with reports CI systems
// read. Exit codes: 0 all valid, 1 anything invalid (or skipped with --fail-on-skip, or
// nothing found without --allow-empty), 2 usage or I/O errors.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { Program } from './root';
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
class UsageError extends CliError {
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
      const { FORMATS, formatReport } = await import('../validate/formatters');
      const outputs = (flags.output.length ? flags.output : ['text']).map((o) => {
        const eq = o.indexOf('=');
        const format = (eq < 0 ? o : o.slice(0, eq)) as (typeof FORMATS)[number];
        const file = eq < 0 ? undefined : o.slice(eq + 1);
        if (!FORMATS.includes(format)) throw new UsageError(`unknown output format "${format}": must be one of ${FORMATS.join(', ')}`);
        if (file === '') throw new UsageError(`-o ${format}=: missing file name`);
        return { format, file };
      });
      if (paths.length === 0) throw new UsageError(`no input: pass files, directories or glob patterns, or - for standard input\nSee '${p.name} validate -h' for help and examples`);
      if (paths.filter((x) => x === '-').length + flags.crd.filter((x) => x === '-').length > 1) throw new UsageError('standard input (-) can be given only once');
      const versionError = flags.kubernetesVersion === undefined ? undefined : kubernetesVersionError(flags.kubernetesVersion);
      if (versionError) throw new UsageError(versionError);
      const { runValidate } = await import('../validate/run-validate');
      const { countResults } = await import('../validate/report');
      const stdin = paths.includes('-') || flags.crd.includes('-') ? ctx.streams.stdinText() : undefined;
      const report = await runValidate(paths, {
        crds: flags.crd, ignoreMissingSchemas: flags.ignoreMissingSchemas, strict: flags.strict, stdin,
      });
      const color = ctx.streams.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
      const { writeFile } = await import('node:fs/promises');
      for (const o of outputs) {
        const text = formatReport(o.format, report, { color: o.file ? false : color, verbose: flags.verbose, summaryOnly: flags.summary });
        if (!o.file || o.file === '-') ctx.out(text);
        else {
          try {
            await writeFile(o.file, text);
          } catch (e) {
            throw new CliError(`cannot write ${o.file}: ${(e as Error).message}`, 2);
          }
        }
      }
      const c = countResults(report.results);
      if (c.resources === 0) {
        if (flags.allowEmpty) return 0;
        ctx.err(`error: no resources found in ${paths.join(', ')} (pass --allow-empty to accept this)\n`);
        return 1;
      }
      if (c.invalid || c.errors) return 1;
      if (c.skipped && flags.failOnSkip) return 1;
      return 0;
    }));
}
