/** commander helper for repeatable flags (`-f a -f b`, `-L x -L y`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** pflag's StringSlice: each use a comma-separated list, the uses appended. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...(value === '' ? [] : value.split(','))];
}
