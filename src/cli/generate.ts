// The verbs that build an object from flags — `create <kind>`, `run`, `expose` — share
// this: kubectl's own flag parsing for the generator (src/generators), the printing and
// dry-run flags every one of them has, and kubectl's way of reporting their errors.

import * as fs from 'node:fs';
import { readInputSync } from '../manifest/read-limited';
import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import { kindGroup, ResourceRegistry } from '../api/resources';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { PrintedError, formatApiError } from './format-error';
import { DRY_RUN_HELP, dryRunSuffix, parseDryRun, type DryRunMode } from './flags/dry-run';
import type { FlagDef, Generator } from '../generators/types';
import { RequiredFlagError, UsageError } from '../generators/types';
import { parseArgv } from '../generators/flags';
import { withSaveConfig } from '../generators/util';
import { defaultRng } from '../sim/rng';
import { declareFlagTable } from './flags/pflag';
import { allowMissingKeys, outputArgument, printFlagDefs, type PrintFlagValues } from './flags/print-flags';
import { checkMutationFormat } from './flags/mutation-output';
import { fieldValidation, validationDirective } from './flags/validate';
import { FIELD_MANAGER_HELP, renderKubectlHelp, VALIDATE_HELP } from './kubectl-help';

/** Flags every generator verb takes besides its own (kubectl's PrintFlags, dry-run, validate...). */
const COMMON: FlagDef[] = [
  ...printFlagDefs(),
  { name: 'dry-run', type: 'string', help: DRY_RUN_HELP },
  { name: 'save-config', type: 'bool', help: 'If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future.' },
  {
    name: 'validate',
    type: 'string',
    default: 'strict',
    help: VALIDATE_HELP,
  },
  { name: 'field-manager', type: 'string', help: FIELD_MANAGER_HELP },
];

/** A generator's own flags and the common ones it does not redefine (only `create`'s take --validate). */
export function generatorFlags(gen: Generator): FlagDef[] {
  const common = gen.command.startsWith('create ') ? COMMON : COMMON.filter((c) => c.name !== 'validate');
  return [...gen.flags, ...common.filter((c) => !gen.flags.some((f) => f.name === c.name))];
}

/**
 * How kubectl words a failed create: each `create` subcommand wraps the server's error its own
 * way (`failed to create secret ...`, `failed to create ClusterIP service: ...`), while `run`,
 * `expose`, `autoscale` and `create namespace` print the server's error as it is.
 */
function wrapCreateError(gen: Generator, e: ApiError): string {
  const sub = gen.command.replace(/^create /, '');
  if (gen.command === 'run' || gen.command === 'expose' || gen.command === 'autoscale' || sub === 'namespace') return formatApiError(e);
  if (sub.startsWith('secret ')) return `error: failed to create secret ${e.message}\n`;
  if (sub.startsWith('service ')) {
    const type = { clusterip: 'ClusterIP', nodeport: 'NodePort', loadbalancer: 'LoadBalancer', externalname: 'ExternalName' }[sub.slice(8)] ?? sub.slice(8);
    return `error: failed to create ${type} service: ${e.message}\n`;
  }
  return `error: failed to create ${sub}: ${e.message}\n`;
}

/** klog's line header: severity, date, time, pid and the Go source location kubectl logs from. */
export function klogHeader(severity: 'E' | 'I' | 'W', location: string): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${severity}${p(d.getMonth() + 1)}${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)} ${String(process.pid).padStart(7)} ${location}]`;
}

/** The klog line kubectl's run.go prints for an error cobra returns (a required flag not set). */
export function klogLine(message: string): string {
  return `${klogHeader('E', 'run.go:72')} "command failed" err=${JSON.stringify(message)}\n`;
}

export interface GeneratorRunOptions {
  /** Fetches the object the generator derives from (`expose deploy/web`, `create job --from`). */
  source?: (ctx: CliContext, args: string[], flags: Record<string, unknown>) => Promise<KObject | undefined>;
  /** The objects a generator runs once for each of (`expose -f`, `autoscale -f` with several documents). */
  sources?: (ctx: CliContext, args: string[], flags: Record<string, unknown>) => Promise<KObject[]>;
  /** The verb's own course after its flags are checked (`run`: create, then attach or print). */
  run?: (o: GeneratorOptions) => Promise<number>;
  /** The name the user typed (`kubesim`, `kubectl sim`): in help and in cobra's usage trailers. */
  program?: string;
}

export async function runGenerator(ctx: CliContext, gen: Generator, argv: string[], opts: GeneratorRunOptions = {}): Promise<number> {
  const help = argv.includes('-h') || argv.includes('--help');
  if (help) {
    ctx.out(generatorHelp(gen, opts.program));
    return 0;
  }
  const o = new GeneratorOptions(ctx, gen, argv, opts).complete().validate();
  if (opts.run) return opts.run(o);
  if (!opts.sources) return o.run();
  let sources: KObject[];
  try {
    sources = await opts.sources(ctx, o.positional, o.flagValues);
  } catch (e) {
    if (e instanceof RequiredFlagError) throw new PrintedError(klogLine(e.message));
    throw e;
  }
  for (const source of sources) await o.run(source);
  return 0;
}

/**
 * The Options of kubectl's generator verbs (`create <kind>`, `run`, `expose`...): complete
 * parses the arguments with the generator's flag table and reads --dry-run; validate checks
 * --validate and -o; run builds the object and prints it or sends it to the API server.
 */
export class GeneratorOptions {
  private args: string[] = [];
  private argsLenAtDash = -1;
  private flags: Record<string, unknown> = {};
  private dryRun: DryRunMode = 'none';
  /** kubectl reads --dry-run in Complete, after the NAME: its deprecation warnings wait until then. */
  private readonly dryRunWarnings: string[] = [];
  private printFlags: PrintFlagValues = {};
  private output: string | undefined;

  constructor(
    private readonly ctx: CliContext,
    private readonly gen: Generator,
    private readonly argv: string[],
    private readonly opts: GeneratorRunOptions,
  ) {}

  complete(): this {
    const { gen } = this;
    let parsed: ReturnType<typeof parseArgv>;
    try {
      parsed = parseArgv({ ...gen, flags: generatorFlags(gen) }, this.argv);
    } catch (e) {
      throw new PrintedError(`Error: ${(e as Error).message}\nSee '${this.program} ${gen.command} --help' for usage.\n`);
    }
    ({ args: this.args, argsLenAtDash: this.argsLenAtDash, flags: this.flags } = parsed);
    const { flags } = this;
    this.dryRun = parseDryRun({ err: (w: string) => void this.dryRunWarnings.push(w) } as CliContext, flags['dry-run'] === undefined ? undefined : (flags['dry-run'] as string));
    this.printFlags = { output: flags.output as string | undefined, template: flags.template as string | undefined, allowMissingTemplateKeys: flags['allow-missing-template-keys'] as string | undefined, showManagedFields: flags['show-managed-fields'] as boolean | undefined };
    this.output = outputArgument(this.printFlags);
    return this;
  }

  get positional(): string[] {
    return this.args;
  }

  get flagValues(): Record<string, unknown> {
    return this.flags;
  }

  private flushWarnings(): void {
    this.dryRunWarnings.splice(0).forEach((w) => this.ctx.err(w));
  }

  validate(): this {
    const { flags, output } = this;
    try {
      validationDirective(flags.validate);
    } catch (e) {
      this.flushWarnings();
      throw e;
    }
    // The generators' PrintFlags have no table printers: -o wide and custom-columns are refused.
    if (output) {
      try {
        checkMutationFormat(output);
      } catch (e) {
        this.flushWarnings();
        throw e;
      }
    }
    return this;
  }

  /** The object the generator builds from the flags (and the source object, if any). */
  async build(given?: KObject): Promise<KObject> {
    const { ctx, gen, opts, args, argsLenAtDash, flags, dryRun } = this;
    const flushWarnings = () => this.flushWarnings();
    try {
      // A source (expose's target, create job --from) opens the cluster itself, only when there is one.
      const source = given ?? (opts.source ? await opts.source(ctx, args, flags) : undefined);
      const needsCluster = source !== undefined || gen.command === 'create role' || gen.command === 'create clusterrole';
      // Only those open the store here: the others reach the cluster through withObjectSource
      // (the daemon when it serves: opening the store too would fail where the server answers).
      const api = needsCluster ? await ctx.api() : undefined;
      const result = gen.build(
        args,
        flags,
        {
          namespace: ctx.namespaceExplicit ? ctx.namespace : undefined,
          rng: defaultRng(),
          readFile: (p) => readInputSync(p),
          stat: (p) => {
            try {
              const st = fs.statSync(p);
              return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
            } catch {
              return undefined;
            }
          },
          readDir: (p) => fs.readdirSync(p),
          getenv: (n) => process.env[n],
          registry: api?.registry ?? new ResourceRegistry(),
          source,
        },
        argsLenAtDash,
      );
      flushWarnings();
      for (const w of result.warnings) ctx.err(w.endsWith('\n') ? w : w + '\n');
      return flags['save-config'] ? withSaveConfig(result.object) : result.object;
    } catch (e) {
      if (e instanceof RequiredFlagError) throw new PrintedError(klogLine(e.message));
      if (!(e instanceof UsageError && /\bNAME is required\b/.test(e.message))) flushWarnings();
      if (e instanceof UsageError) throw new PrintedError(`error: ${e.message}\nSee '${this.program} ${e.command} -h' for help and examples\n`);
      throw e;
    }
  }

  get context(): CliContext {
    return this.ctx;
  }

  /** The name the user typed, for cobra's usage trailers. */
  get program(): string {
    return this.opts.program ?? 'kubesim';
  }

  get dryRunMode(): DryRunMode {
    return this.dryRun;
  }

  /** The output format asked for with -o, if any. */
  get outputFormat(): string | undefined {
    return this.output;
  }

  /** Prints an object as the verb does: in the -o format, or `kind/name created`. */
  async print(obj: KObject, clientSide: boolean): Promise<void> {
    const { ctx, gen, dryRun, printFlags, output } = this;
    if (output) {
      const { resolveOutput, withTemplateDebug, withoutManagedFields } = await import('./flags/output');
      const { printObjects } = await import('../printers/output');
      const spec = resolveOutput(output);
      // As kubectl's JSON and YAML printers: the server's managedFields left out unless asked for.
      const shown = (spec.kind === 'json' || spec.kind === 'yaml') && !printFlags.showManagedFields ? withoutManagedFields(obj) : obj;
      // kubectl's create verbs go through typed clients: a client-side object is a Go struct,
      // and the server's answer is decoded into one too (k8s.io/api's struct order; a kind
      // k8s.io/api lacks, keys sorted as a map's). What a client-side object copied from the
      // server (create job --from) holds is in struct order as well. Every printer sees the
      // decoded answer's zeros (a PDB's `status.currentHealthy: 0`), as kubectl's YAML,
      // jsonpath and go-template printers marshal the Go struct first.
      const { goOrdered } = await import('../printers/go-order');
      const typed = spec.kind === 'json' || !clientSide ? goOrdered(JSON.parse(JSON.stringify(shown))) : shown;
      ctx.out(withTemplateDebug(ctx, () => printObjects([(typed as KObject | undefined) ?? shown], spec, { asList: false, sortJsonKeys: !typed, allowMissingKeys: allowMissingKeys(printFlags) })));
    } else {
      const rt = new ResourceRegistry().forKind(obj.apiVersion, obj.kind);
      const verb = gen.command === 'expose' ? 'exposed' : gen.command === 'autoscale' ? 'autoscaled' : 'created';
      ctx.out(`${kindGroup(rt)}/${obj.metadata.name} ${dryRun === 'client' && gen.command === 'autoscale' ? 'created' : verb}${dryRunSuffix(dryRun)}\n`);
    }
  }

  /** Sends a built object to the API server (--dry-run=server: only checked there); what it stored. */
  async create(object: KObject): Promise<KObject> {
    const { ctx, gen, flags, dryRun } = this;
    const rt = new ResourceRegistry().forKind(object.apiVersion, object.kind);
    if (rt.namespaced) object.metadata.namespace ??= ctx.namespace;
    try {
      if (validationDirective(flags.validate) !== 'ignore') await (await import('../api/validator-adapter')).loadValidation();
      const { withObjectSource } = await import('./object-source');
      // kubectl's default field manager, `kubectl-create` (`kubectl-run`, ...), on both paths.
      const fieldManager = (flags['field-manager'] as string | undefined) ?? `kubectl-${gen.command.split(' ')[0]}`;
      // the server's warnings (a Warn binding's failed policy) print as they come, refused or not
      const { warn } = fieldValidation(ctx, flags.validate);
      return await withObjectSource(ctx, (source) => source.create(rt, object, { dryRun: dryRun === 'server', fieldManager, warn }));
    } catch (e) {
      if (e instanceof ApiError) throw new PrintedError(wrapCreateError(gen, e));
      throw e;
    }
  }

  async run(given?: KObject): Promise<number> {
    const object = await this.build(given);
    if (this.dryRun === 'client') {
      await this.print(object, true);
      return 0;
    }
    await this.print(await this.create(object), false);
    return 0;
  }
}

/** How kubectl's help shows a flag's default (pflag's DefValue, strings quoted). */
function shownDefault(gen: Generator, f: FlagDef): string {
  // Defaults kubectl's help shows that the parser keeps unset (to tell "not given" apart).
  const implicit: Record<string, string> = { 'dry-run': 'none', 'field-manager': `kubectl-${gen.command.split(' ')[0]}` };
  if (f.name in implicit) return `'${implicit[f.name]}'`;
  if (f.shown !== undefined) return f.shown;
  switch (f.type) {
    case 'bool':
      return String(f.default ?? false);
    case 'int':
      return String(f.default ?? 0);
    case 'string':
      return `'${f.default ?? ''}'`;
    default:
      return `[${Array.isArray(f.default) ? f.default.join(',') : ''}]`;
  }
}

/** cobra's help in kubectl's template: long text, aliases, examples, options by name, usage. */
export function generatorHelp(gen: Generator, program = 'kubesim'): string {
  const flags = generatorFlags(gen).map((f) => ({ name: f.name, shorthand: f.shorthand, shown: shownDefault(gen, f), help: f.help }));
  return renderKubectlHelp(program, gen.command, { long: gen.long ?? gen.short + '.', aliases: gen.aliases, example: gen.example, use: gen.usage }, flags);
}

/**
 * Registers a generator as a commander (sub)command that hands its raw arguments to the
 * generator's own kubectl-compatible flag parser.
 */
export function registerGenerator(parent: Command, name: string, gen: Generator, p: Program, opts: GeneratorRunOptions = {}): Command {
  const cmd = parent
    .command(name)
    .description(gen.short)
    .argument('[args...]')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .helpOption(false)
    .action(
      p.action(async (ctx, _args: string[], _opts: unknown, command: Command) => {
        void _args;
        void _opts;
        return runGenerator(ctx, gen, [...inheritedFlags(command), ...rawArgs(command)], { ...opts, program: p.name });
      }),
    );
  for (const a of gen.aliases ?? []) cmd.alias(a);
  declareFlagTable(cmd, generatorFlags(gen));
  return cmd;
}

/**
 * Flags a parent command (`create`) parsed itself although they were written after the
 * sub-command (commander recognises a parent's options anywhere): handed back in kubectl
 * spelling so the generator sees -o, --dry-run, --save-config, --validate.
 */
function inheritedFlags(command: Command): string[] {
  const out: string[] = [];
  for (let c = command.parent; c && c.parent; c = c.parent) {
    const o = c.opts() as Record<string, unknown>;
    if (typeof o.output === 'string') out.push(`--output=${o.output}`);
    if (typeof o.template === 'string') out.push(`--template=${o.template}`);
    if (o.showManagedFields) out.push('--show-managed-fields');
    if (o.allowMissingTemplateKeys !== undefined && o.allowMissingTemplateKeys !== true) out.push(`--allow-missing-template-keys=${String(o.allowMissingTemplateKeys)}`);
    if (o.dryRun !== undefined) out.push(o.dryRun === true ? '--dry-run' : `--dry-run=${o.dryRun}`);
    if (o.saveConfig) out.push('--save-config');
    if (typeof o.validate === 'string' && o.validate !== 'strict') out.push(`--validate=${o.validate}`);
    // create's --selector and --field-manager, which the generators (pdb, every one) have too.
    const given = (key: string) => c!.getOptionValueSource(key) === 'cli';
    if (given('selector')) out.push(`--selector=${String(o.selector)}`);
    if (given('fieldManager')) out.push(`--field-manager=${String(o.fieldManager)}`);
  }
  return out;
}

/** The arguments commander saw after this command's name, in order (options included). */
function rawArgs(command: Command): string[] {
  return [...command.args];
}

export { CliError };

/**
 * The live objects `expose` and `autoscale` act on, as their resource.Builder finds them:
 * TYPE NAME, TYPE/NAME, or the objects named in -f/-k files (with the Builder's errors).
 * `emptyIsNothing`: expose's Builder lets files without objects through as nothing to do.
 */
export async function builderSources(ctx: CliContext, args: string[], flags: Record<string, unknown>, verb: string, emptyIsNothing = false): Promise<KObject[]> {
  const files = { filename: (flags.filename as string[] | undefined) ?? [], kustomize: (flags.kustomize as string | undefined) || undefined, recursive: flags.recursive === true };
  const { validateFileFlags, hasFileInput } = await import('./manifest-input');
  const { NO_RESOURCES_MESSAGE } = await import('./flags/resource-builder-flags');
  validateFileFlags(files);
  if (hasFileInput(files)) {
    if (args.some((a) => a.includes('/'))) throw new CliError('resource/name arguments cannot be provided when a path is specified');
    if (args.length) throw new CliError('when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well');
    const { resolveTargets } = await import('./flags/targets');
    const { noObjectsMessage } = await import('../manifest');
    try {
      const t = await resolveTargets(ctx, [], files, verb);
      if (t.errors.length) throw new PrintedError(t.errors.join(''));
      return t.items.map((i) => i.object);
    } catch (e) {
      if (emptyIsNothing && e instanceof CliError && e.message === noObjectsMessage(verb)) return [];
      throw e;
    }
  }
  if (!args.length) throw new CliError(NO_RESOURCES_MESSAGE);
  const [first, second] = args;
  const slash = first.indexOf('/');
  const [kind, name] = slash >= 0 ? [first.slice(0, slash), first.slice(slash + 1)] : [first, second];
  if (!name) throw new CliError('resource(s) were provided, but no name was specified');
  const api = await ctx.api();
  const type = api.resolve(kind);
  return [await api.get(type, type.namespaced ? ctx.namespace : undefined, name)];
}
