// Bounds on what a simulated script may use: a script is user input running inside the
// kubelet or the CLI, so a string doubling in a loop, a busy loop or a flood of output
// ends the script with a clear error instead of taking the process down with it.

export interface ShellLimits {
  /** Longest value a variable, word or field may have (bytes, as UTF-16 units). */
  maxString: number;
  /** Output a script may write to its stdout and stderr together. */
  maxOutput: number;
  /** A pipe or `$(...)` buffer. */
  maxBuffer: number;
  /** All files the script creates or grows, together. */
  maxFiles: number;
  /** Commands run without simulated time passing (a busy loop). */
  maxBusySteps: number;
  /** Nested function calls, subshells and `eval`s. */
  maxDepth: number;
  /** Work units for pattern operations on long strings. */
  maxPatternWork: number;
}

export const DEFAULT_LIMITS: ShellLimits = {
  maxString: 1 << 20,
  maxOutput: 8 << 20,
  maxBuffer: 4 << 20,
  maxFiles: 16 << 20,
  maxBusySteps: 100_000,
  maxDepth: 200,
  maxPatternWork: 50_000_000,
};

/** A limit was hit: the whole script stops (no subshell or `||` catches it). */
export class LimitError extends Error {
  constructor(
    message: string,
    /** Exit status: 137 (killed, as the OOM killer would) for memory; 124 (timed out) for a busy loop. */
    readonly code: number,
  ) {
    super(message);
  }
}

export function memoryError(what: string, limit: number): LimitError {
  return new LimitError(`kubesim: sh: out of memory: ${what} is larger than ${Math.round(limit / 1024)} KiB, the simulated shell's limit`, 137);
}
