/** commander helper for repeatable flags (`-f a -f b`, `-L x -L y`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** pflag's StringSlice (`-f a.yaml,b.yaml`): each use a comma-separated list, the uses appended (pflag reads it as CSV; quoted fields are not taken apart here). */
export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...(value === '' ? [] : value.split(','))];
}
