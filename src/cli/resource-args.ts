// Parsing of the resource arguments every verb takes, as kubectl's resource.Builder does:
// `pods`, `pods,services`, `pod web`, `pod/web svc/web`, `all`.

import { CliError } from '../api/errors';
import { shortNameWarnings, type ResourceRegistry, type ResourceType } from '../api/resources';

export interface ResourceSelection {
  type: ResourceType;
  /** Names requested; empty means "all of this type" (filtered by selectors). */
  names: string[];
}

/**
 * The selections `args` name; `warn` is given kubectl's warning for each ambiguous short name
 * (once each, before the caller reports an error: kubectl's mapper warns as it resolves).
 */
export function parseResourceArgs(args: string[], registry: ResourceRegistry, opts: { requireNames?: boolean; warn?: (text: string) => void } = {}): ResourceSelection[] {
  try {
    return selectionsOf(args, registry, opts);
  } finally {
    if (opts.warn) for (const text of new Set(typeArgsOf(args).flatMap((t) => shortNameWarnings(registry.all(), t)))) opts.warn(text);
  }
}

/** The type arguments of `args` (`pods,svc`, or each TYPE of TYPE/NAME), as typed. */
function typeArgsOf(args: string[]): string[] {
  return args.some((a) => a.includes('/')) ? args.map((a) => a.split('/')[0]) : args.slice(0, 1).flatMap((a) => a.split(','));
}

function selectionsOf(args: string[], registry: ResourceRegistry, opts: { requireNames?: boolean }): ResourceSelection[] {
  if (args.length === 0) return [];
  const slashForm = args.some((a) => a.includes('/'));
  if (slashForm) {
    // hasCombinedTypeArgs, then splitResourceTypeName for each, before any type is resolved.
    if (!args.every((a) => a.includes('/'))) {
      throw new CliError(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'`);
    }
    const tuples = args.map((a) => {
      const seg = a.split('/');
      if (seg.length !== 2) throw new CliError('arguments in resource/name form may not have more than one slash');
      // SplitResourceArgument keeps empty parts: `pod,/x` is two resources.
      if (!seg[0] || !seg[1] || new Set(seg[0].split(',')).size !== 1) throw new CliError('arguments in resource/name form must have a single resource and name');
      return seg;
    });
    const out: ResourceSelection[] = [];
    for (const [resource, name] of tuples) {
      const type = registry.resolve(resource);
      const existing = out.find((s) => s.type === type);
      if (existing) existing.names.push(name);
      else out.push({ type, names: [name] });
    }
    return out;
  }
  const [typesArg, ...names] = args;
  const types: ResourceType[] = [];
  for (const t of typesArg.split(',')) {
    if (!t) continue;
    if (t.toLowerCase() === 'all') types.push(...registry.category('all'));
    else types.push(registry.resolve(t));
  }
  if (opts.requireNames && names.length === 0) throw new CliError('resource(s) were provided, but no name was specified');
  if (names.length && typesArg.split(',').length > 1) {
    // kubectl allows `get pod,svc NAME`: looks the name up in every type
  }
  return [...new Map(types.map((t) => [t.group + '/' + t.plural, t])).values()].map((type) => ({ type, names: [...names] }));
}
