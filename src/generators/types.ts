// What every generator (`create <kind>`, `run`, `expose`, `autoscale`) exports: its flags as
// data, so the CLI layer can register them with commander, and a pure `build` function that
// returns the object kubectl v1.32 would build client-side.

import type { KObject } from '../api/types';
import type { ResourceRegistry } from '../api/resources';
import { CliError } from '../api/errors';

/** pflag value kinds: `stringSlice` splits each occurrence on commas, `stringArray` does not. */
export type FlagType = 'string' | 'bool' | 'int' | 'stringArray' | 'stringSlice';

export interface FlagDef {
  name: string;
  type: FlagType;
  shorthand?: string;
  default?: string | number | boolean | string[];
  help: string;
  /** pflag's DefValue as help prints it, where the type's own rendering differs (a map flag's `''`). */
  shown?: string;
  /** cobra's MarkFlagRequired: missing → `required flag(s) "x" not set`. */
  required?: boolean;
}

/** Values after parsing: string | number | boolean | string[] keyed by the flag's long name. */
export type FlagValues = Record<string, unknown>;

/** What a generator may read from its surroundings; everything is injected so builds stay pure. */
export interface GeneratorContext {
  /** Set only when the namespace was given explicitly (-n), like kubectl's EnforceNamespace. */
  namespace?: string;
  /** Random source in [0,1) for the container-name suffix (utilrand.String(5)). */
  rng: () => number;
  /** Reads a file; throws a Node-style error with `code` (ENOENT, EACCES, EISDIR) on failure. */
  readFile(path: string): Uint8Array;
  /** 'file' | 'dir' for an existing path, undefined when missing. Needed for --from-file/--from-env-file. */
  stat?(path: string): 'file' | 'dir' | 'other' | undefined;
  /** Directory entries (names only), for --from-file=<dir>. */
  readDir?(path: string): string[];
  /** Environment lookup for env-file lines without `=` (kubectl reads os.Getenv). */
  getenv?(name: string): string | undefined;
  /** For `create role/clusterrole`: maps `rs`, `deploy` to plural resources like kubectl's RESTMapper. */
  registry?: ResourceRegistry;
  /** The object a generator derives from: `create job --from`, `expose`, `autoscale`. */
  source?: KObject;
}

export interface GeneratorResult {
  object: KObject;
  /** Lines kubectl writes to stderr while building (e.g. `Warning: 'foo' is not a standard resource verb`). */
  warnings: string[];
}

export interface Generator {
  /** Command path below `kubectl`: `create deployment`, `create secret generic`, `run`, `expose`. */
  command: string;
  aliases?: string[];
  /** Use line as kubectl's help shows it. */
  usage: string;
  short: string;
  /** cobra's Long, where kubectl's help prints more than the Short and a period. */
  long?: string;
  /** kubectl's Example text, as its help prints it (lines indented by two spaces). */
  example?: string;
  flags: FlagDef[];
  /**
   * `args` are all positional args as cobra passes them (after `--` included);
   * `argsLenAtDash` is how many came before `--` (-1 when there was no `--`).
   */
  build(args: string[], flags: FlagValues, ctx: GeneratorContext, argsLenAtDash?: number): GeneratorResult;
}

/** An error kubectl reports with the `See 'kubectl <cmd> -h' for help and examples` trailer. */
export class UsageError extends CliError {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}

/**
 * cobra's required-flag failure. kubectl v1.32 reports it through klog, not `error:`:
 * `E1122 08:31:47.534776   13169 run.go:72] "command failed" err="required flag(s) \"image\" not set"`.
 */
export class RequiredFlagError extends CliError {
  constructor(readonly flags: string[]) {
    super(`required flag(s) ${flags.map((f) => `"${f}"`).join(', ')} not set`);
  }
}
