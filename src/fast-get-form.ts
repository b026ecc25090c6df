// Which command lines the start-up fast path of `get` (src/fast-get.ts) takes: checked by
// src/fast.ts before it loads dist/fast-get.cjs, so that other `get`s do not load it for nothing.

/**
 * `get TYPE NAME` with two plain words (no TYPE/NAME form, no list of types), alone or with
 * one namespace flag after them (`-n NS`, `--namespace NS`, `--namespace=NS`, the form
 * scripts write): the namespace it names, '' for none, or undefined when argv is not such a form.
 */
export function fastGetNamespace(argv: readonly string[]): string | undefined {
  if (argv.length < 3 || argv[0] !== 'get' || !plainWord(argv[1]) || !plainWord(argv[2]) || argv[1].toLowerCase() === 'all' || argv[2] === '.' || argv[2] === '..') return undefined;
  if (argv.length === 3) return '';
  const ns = argv.length === 5 && (argv[3] === '-n' || argv[3] === '--namespace') ? argv[4] : argv.length === 4 && argv[3].startsWith('--namespace=') ? argv[3].slice('--namespace='.length) : undefined;
  // A namespace's name (an RFC 1123 label) only: anything else is the CLI's to judge.
  return ns !== undefined && ns.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) ? ns : undefined;
}

const plainWord = (a: string) => a !== '' && !a.startsWith('-') && !/[/,]/.test(a);

/**
 * Whether a `get` type argument may name pods (`pod`, `Pods`, `po`, `pods.v1`, ...): checked
 * before dist/fast-get-store.cjs is loaded, which answers pods only; the registry decides.
 */
export function mayNamePods(typeArg: string): boolean {
  const first = typeArg.split('.', 1)[0].toLowerCase();
  return first === 'pod' || first === 'pods' || first === 'po';
}
