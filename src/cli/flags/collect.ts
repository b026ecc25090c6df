/** commander helper for repeatable flags (`-f a -f b`, `-L x -L y`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
