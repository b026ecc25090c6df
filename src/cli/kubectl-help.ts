// cobra's help in kubectl's template, for one command: the long text, aliases, examples, the
// command's own flags sorted by name with their Go defaults (`--dry-run='none':`), usage and
// the global-options line. The generators render it from their flag tables, commander verbs
// from their options (kubectlHelp); both go through renderKubectlHelp.

import type { Command, Option } from 'commander';
import { commandPath } from './flags/pflag';

export const FIELD_MANAGER_HELP = 'Name of the manager used to track field ownership.';

/** cmdutil.AddValidateFlags' --validate help. */
export const VALIDATE_HELP =
  'Must be one of: strict (or true), warn, ignore (or false). "true" or "strict" will use a schema to validate the input and fail the request if invalid. It will perform server side validation if ServerSideFieldValidation is enabled on the api-server, but will fall back to less reliable client-side validation if not. "warn" will warn about unknown or duplicate fields without blocking the request if server-side field validation is enabled on the API server, and behave as "ignore" otherwise. "false" or "ignore" will not perform any schema validation, silently dropping any unknown or duplicate fields.';

/** One flag as kubectl's help lists it. */
export interface HelpFlag {
  name: string;
  shorthand?: string;
  /** pflag's DefValue as printed: `false`, `0`, `'none'`, `[]`. */
  shown: string;
  help: string;
}

export interface HelpText {
  /** cobra's Long (or Short plus '.'), printed as is. */
  long: string;
  aliases?: string[];
  /** The Examples block, lines indented by two spaces as kubectl's templates. */
  example?: string;
  /** cobra's Use: the command's name and arguments, as on the Usage line before ` [options]`. */
  use: string;
  /** A command with sub-commands as well as flags (`create`): their names and Short texts. */
  commands?: Array<[string, string]>;
}

/** cobra's help for `path` (the command path, without the program's name). */
export function renderKubectlHelp(program: string, path: string, text: HelpText, flags: HelpFlag[]): string {
  const name = path.split(' ').pop()!;
  const lines = [text.long, ''];
  if (text.aliases?.length) lines.push('Aliases:', [name, ...text.aliases].join(', '), '');
  if (text.example) lines.push('Examples:', text.example.replace(/\bkubectl /g, `${program} `), '');
  if (text.commands?.length) lines.push('Available Commands:', ...commandLines(text.commands), '');
  // cobra leaves the Options section out when the command has no flags of its own.
  if (flags.length) lines.push('Options:');
  const sorted = [...flags].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const f of sorted) lines.push(`    ${f.shorthand ? `-${f.shorthand}, ` : ''}--${f.name}=${f.shown}:`, `\t${f.help}`, '');
  const parent = path.split(' ').slice(0, -1).join(' ');
  // cobra appends the flags placeholder unless Use already has it (port-forward's does).
  const use = text.use.includes('[options]') ? text.use : `${text.use} [options]`;
  lines.push('Usage:', `  ${[program, parent, use].filter(Boolean).join(' ')}`, '');
  if (text.commands?.length) lines.push(`Use "${program} ${path} <command> --help" for more information about a given command.`);
  lines.push(`Use "${program} options" for a list of global command-line options (applies to all commands).`);
  return lines.join('\n') + '\n';
}

/** cobra's sub-command lines: sorted, names padded to the longest (at least cobra's minimum of 11) plus three spaces. */
function commandLines(commands: Array<[string, string]>): string[] {
  const sorted = [...commands].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const pad = Math.max(11, ...sorted.map(([n]) => n.length)) + 2;
  return sorted.map(([n, short]) => `  ${n.padEnd(pad)} ${short}`);
}

/** pflag's DefValue of a commander option, unless `shown` names it. */
function shownDefault(o: Option, shown: Record<string, string>): string {
  const name = (o.long ?? '').slice(2);
  if (name in shown) return shown[name];
  const d = o.defaultValue as unknown;
  if (!o.required && !o.optional) return String(d === true);
  if (/\[bool\]/.test(o.flags)) return String(d ?? false);
  if (Array.isArray(d)) return `[${d.join(',')}]`;
  if (typeof d === 'number') return String(d);
  return `'${d ?? ''}'`;
}

/**
 * Gives a commander command kubectl's help: its visible options, with their descriptions as
 * kubectl words them, sorted by name. `shown` overrides a DefValue the parser keeps unset to
 * tell "not given" apart (`--dry-run='none'`, `--field-manager='kubectl-label'`).
 */
export function kubectlHelp(cmd: Command, program: string, text: HelpText, shown: Record<string, string> = {}): Command {
  cmd.configureHelp({
    formatHelp: (c) => {
      const options = (c.options as readonly Option[]).filter((o) => !o.hidden && o.long);
      const flags = options.map((o) => ({ name: o.long!.slice(2), shorthand: o.short?.slice(1), shown: shownDefault(o, { 'dry-run': "'none'", ...shown }), help: o.description }));
      const commands = text.commands && c.commands.filter((sub) => !sub.name().startsWith('__')).map((sub): [string, string] => [sub.name(), sub.description().split('\n')[0]]);
      return renderKubectlHelp(program, commandPath(c), { ...text, aliases: text.aliases ?? c.aliases(), commands }, flags);
    },
  });
  return cmd;
}

/**
 * cobra's help for a command group in kubectl's template: sub-commands sorted, their names
 * padded to the longest (at least cobra's minimum of 11) plus three spaces. `use` is the
 * usage line's command part when cobra's Use is not `<name> SUBCOMMAND` (`auth [flags]`).
 */
export function groupHelp(cmd: Command, program: string, long: string, example?: string, use?: string): string {
  const path = commandPath(cmd);
  const subs = cmd.commands.filter((c) => !c.name().startsWith('__')).map((c): [string, string] => [c.name(), c.description().split('\n')[0]]);
  return [
    long,
    '',
    ...(cmd.aliases().length ? ['Aliases:', [cmd.name(), ...cmd.aliases()].join(', '), ''] : []),
    ...(example ? ['Examples:', example.replace(/\bkubectl /g, `${program} `), ''] : []),
    'Available Commands:',
    ...commandLines(subs),
    '',
    'Usage:',
    `  ${program} ${use ?? `${path} SUBCOMMAND`} [options]`,
    '',
    `Use "${program} ${path} <command> --help" for more information about a given command.`,
    `Use "${program} options" for a list of global command-line options (applies to all commands).`,
    '',
  ].join('\n');
}
