// The root command: global flags, help groups, and the error-to-exit-code mapping
// (kubectl's cmdutil.CheckErr). Verbs live one per file; commands.ts lists them.

import { Command, CommanderError, Option } from 'commander';
import { CliContext, type GlobalFlags, type Streams, processStreams } from './context';
import { type Register, registersFor } from './commands';
import { formatError, unknownSubCommand } from './format-error';
import { CliError } from '../api/errors';
import { collect } from './flags/collect';
import { FlagError, addFalseSpellings, commandPathOf, normalizeArgv, usageFlagErrorCode } from './flags/pflag';

export interface RunResult {
  exitCode: number;
}

/** The name users typed: `kubesim`, or `kubectl sim` when run as a kubectl plugin. */
export function invokedName(argv1: string | undefined): string {
  return argv1 && /kubectl-sim$/.test(argv1) ? 'kubectl sim' : 'kubesim';
}

export type VerbAction = (ctx: CliContext, ...args: any[]) => Promise<number | void> | number | void;

/** State shared by the verbs of one run: where to report the exit code. */
export class Program {
  exitCode = 0;
  constructor(
    readonly name: string,
    readonly streams: Streams,
  ) {}

  /**
   * Wraps a verb's action: builds the context from the global flags, runs the verb, and
   * turns whatever it throws into kubectl's error text and exit code 1.
   */
  action(fn: VerbAction): (...args: any[]) => Promise<void> {
    return async (...args: any[]) => {
      const cmd = args[args.length - 1] as Command;
      const globals = cmd.optsWithGlobals() as GlobalFlags;
      const ctx = new CliContext(globals, this.streams);
      try {
        const code = await fn(ctx, ...args);
        if (typeof code === 'number') this.exitCode = code;
      } catch (caught) {
        // The cluster deleted between this command's open and a write of its.
        const e = ctx.storeGoneAsMissing(caught);
        this.streams.err(formatError(e, globals.v !== undefined && Number(globals.v) >= 6));
        this.exitCode = (e as { exitCode?: number }).exitCode ?? 1;
      }
    };
  }
}

export function buildProgram(p: Program, registers: Register[]): Command {
  const program = new Command(p.name);
  program
    .description('kubesim: kubectl against a Kubernetes cluster simulated on this machine')
    .usage('[flags] [options]')
    .addOption(new Option('-n, --namespace <namespace>', 'If present, the namespace scope for this CLI request'))
    .addOption(new Option('--context <name>', 'The name of the cluster (context) to use'))
    .addOption(new Option('--state-dir <dir>', 'Where kubesim keeps its clusters (default $KUBESIM_HOME or ~/.kubesim)'))
    .addOption(new Option('-v, --v <level>', 'number for the log level verbosity'))
    .addOption(new Option('--kubeconfig <file>', 'Accepted for kubectl compatibility; kubesim uses --state-dir').hideHelp())
    .addOption(new Option('--as <user>', 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace.'))
    .addOption(new Option('--as-group <group>', 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups.').argParser(collect).default([]))
    .addOption(new Option('--as-uid <uid>', 'UID to impersonate for the operation.'))
    .showSuggestionAfterError(true)
    .helpCommand(false)
    .configureOutput({
      writeOut: (s) => p.streams.out(s),
      writeErr: (s) => p.streams.err(s),
      outputError: () => {
        /* printed by run() in kubectl's format */
      },
    })
    .exitOverride();
  for (const register of registers) register(program, p);
  for (const c of program.commands) inheritSettings(c, p);
  addFalseSpellings(program);
  program.configureHelp({ formatHelp: (cmd, helper) => (cmd === program ? rootHelp(program, p.name) : helper.formatHelp(cmd, helper)) });
  return program;
}

// kubectl's help groups (pkg/cmd/cmd.go), plus kubesim's own verbs.
const HELP_GROUPS: Array<[string, string[]]> = [
  ['Basic Commands (Beginner)', ['create', 'expose', 'run', 'set']],
  ['Basic Commands (Intermediate)', ['explain', 'get', 'edit', 'delete']],
  ['Deploy Commands', ['rollout', 'scale', 'autoscale']],
  ['Cluster Management Commands', ['cluster-info', 'top', 'cordon', 'uncordon', 'drain', 'taint']],
  ['Troubleshooting and Debugging Commands', ['describe', 'logs', 'attach', 'exec', 'port-forward', 'proxy', 'cp', 'events', 'auth']],
  ['Advanced Commands', ['diff', 'apply', 'patch', 'replace', 'wait', 'kustomize']],
  ['Settings Commands', ['label', 'annotate', 'completion']],
  ['Simulated Cluster Commands (kubesim)', ['cluster', 'node', 'clock', 'reconcile', 'trace']],
  ['CI Commands (kubesim)', ['validate', 'check']],
  ['Other Commands', ['api-resources', 'api-versions', 'config', 'version']],
];

function rootHelp(program: Command, name: string): string {
  const byName = new Map(program.commands.map((c) => [c.name(), c]));
  const out = [`${name} controls a Kubernetes cluster simulated on this machine, as kubectl controls a real one.`, ''];
  const listed = new Set<string>();
  for (const [title, names] of HELP_GROUPS) {
    const cmds = names.map((n) => byName.get(n)).filter((c): c is Command => Boolean(c));
    if (!cmds.length) continue;
    out.push(`${title}:`);
    for (const c of cmds) {
      listed.add(c.name());
      out.push(`  ${c.name().padEnd(15)} ${c.description().split('\n')[0]}`);
    }
    out.push('');
  }
  const rest = program.commands.filter((c) => !listed.has(c.name()) && !c.name().startsWith('__'));
  if (rest.length) {
    out.push('Other Commands (kubesim):');
    for (const c of rest) out.push(`  ${c.name().padEnd(15)} ${c.description().split('\n')[0]}`);
    out.push('');
  }
  out.push(
    'Usage:',
    `  ${name} [flags] [options]`,
    '',
    `Use "${name} <command> --help" for more information about a given command.`,
    'Global options: -n/--namespace, --context (a kubesim cluster), --state-dir (default $KUBESIM_HOME or ~/.kubesim), -v, --as/--as-group/--as-uid.',
    '',
  );
  return out.join('\n');
}

function inheritSettings(cmd: Command, p: Program): void {
  cmd.exitOverride();
  cmd.configureOutput({ writeOut: (s) => p.streams.out(s), writeErr: (s) => p.streams.err(s), outputError: () => {} });
  for (const c of cmd.commands) inheritSettings(c, p);
}

// kubectl's root commands in the order cobra holds them (its help groups, then the rest):
// the order "Did you mean this?" lists suggestions in.
const KUBECTL_COMMAND_ORDER = 'create expose run set explain get edit delete rollout scale autoscale certificate cluster-info top cordon uncordon drain taint describe logs attach exec port-forward proxy cp auth debug events diff apply patch replace wait kustomize label annotate completion alpha api-resources api-versions config plugin version options'.split(' ');

/** cobra's ld(): Levenshtein distance, here ignoring case as SuggestionsFor asks. */
function levenshtein(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[t.length];
}

/** cobra's SuggestionsFor: distance at most 2, or a prefix of the command's name. */
export function suggestionsFor(program: Command, typed: string): string[] {
  const names = program.commands.map((c) => c.name()).filter((n) => !n.startsWith('__'));
  const rank = (n: string) => {
    const i = KUBECTL_COMMAND_ORDER.indexOf(n);
    return i >= 0 ? i : KUBECTL_COMMAND_ORDER.length;
  };
  const ordered = names.map((n, i) => ({ n, i })).sort((x, y) => rank(x.n) - rank(y.n) || x.i - y.i).map((x) => x.n);
  return ordered.filter((n) => levenshtein(typed, n) <= 2 || n.toLowerCase().startsWith(typed.toLowerCase()));
}

/** cobra's "unknown command" error for the root (kubectl sets no usage line after it). */
function unknownCommand(program: Command, name: string, typed: string): string {
  const suggestions = suggestionsFor(program, typed);
  const did = suggestions.length ? `\nDid you mean this?\n${suggestions.map((s) => `\t${s}\n`).join('')}\n` : '';
  return `Error: unknown command "${typed}" for "${name}"\n${did}`;
}

/** cobra's flag error: `Error: <pflag message>` and where to read the usage. */
function flagError(name: string, path: string, message: string): string {
  // kubectl options sets its own flag error function.
  if (path === 'options') return `Error: ${message}\nRun '${name} options' without flags.\n`;
  return `Error: ${message}\nSee '${name}${path ? ' ' + path : ''} --help' for usage.\n`;
}

/** buildProgram's global flags that take a value, long and short. */
const GLOBAL_VALUE_FLAG = /^(?:--(?:namespace|context|state-dir|v|kubeconfig|as|as-group|as-uid)|-[nv])$/;
const GLOBAL_FLAG_WITH_VALUE = /^(?:--(?:namespace|context|state-dir|v|kubeconfig|as|as-group|as-uid)=|-[nv].)/;

/**
 * The verb argv runs when only global flags come before it; undefined when anything else
 * does (normalizeArgv, with every verb declared, then reports or resolves it as before).
 */
export function verbOf(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-')) return a;
    if (GLOBAL_VALUE_FLAG.test(a)) i++;
    else if (!GLOBAL_FLAG_WITH_VALUE.test(a)) return undefined;
  }
  return undefined;
}

export async function run(argv: string[], streams: Streams = processStreams, name = 'kubesim'): Promise<number> {
  const p = new Program(name, streams);
  const program = buildProgram(p, await registersFor(verbOf(argv)));
  let args: string[];
  try {
    args = normalizeArgv(program, argv);
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    const usage = usageFlagErrorCode(program, e.command);
    if (usage !== undefined) {
      streams.err(`error: ${e.message}\nSee '${name}${e.command ? ' ' + e.command : ''} -h' for help and examples\n`);
      return usage;
    }
    streams.err(flagError(name, e.command, e.message));
    return 1;
  }
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      // A group run without its sub-command (cmdutil.DefaultSubCommandRun): help on stderr, exit 1.
      if (e.code === 'commander.help') return e.exitCode;
      const verb = commandPathOf(program, args);
      const msg = e.message.replace(/^error: /, '');
      if (e.code === 'commander.unknownOption') {
        const flag = /'([^']+)'/.exec(msg)?.[1] ?? msg;
        streams.err(flagError(name, verb, `unknown flag: ${flag}`));
      } else if (e.code === 'commander.unknownCommand') {
        const cmdName = /'([^']+)'/.exec(msg)?.[1] ?? args[0];
        // Below the root, a group's DefaultSubCommandRun words it as a usage error.
        if (verb) streams.err(unknownSubCommand(name, verb, cmdName));
        else streams.err(unknownCommand(program, name, cmdName));
      } else {
        streams.err(`error: ${msg}\nSee '${name}${verb ? ' ' + verb : ''} -h' for help and examples\n`);
      }
      return 1;
    }
    streams.err(formatError(e, false));
    return 1;
  }
  return p.exitCode;
}
