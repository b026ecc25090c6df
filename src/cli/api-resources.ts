// `kubesim api-resources` and `api-versions`: the discovery view of the registry.

import type { Command } from 'commander';
import { apiVersionOf } from '../api/resources';
import { CliError } from '../api/errors';
import type { Program } from './root';
import { kubectlHelp } from './kubectl-help';
import { tabwrite, GET_TABLE } from '../printers/tabwriter';
import { METRICS_GROUP, METRICS_GV, METRICS_RESOURCES } from '../api/rest/metrics';
import { REVIEW_GROUP_VERSIONS, REVIEW_RESOURCES } from '../api/rest/reviews';
import { metricsApiListed } from '../api/apiservices';

/** One line of the table: a registered type, or one of metrics.k8s.io's. */
interface Row {
  plural: string;
  shortNames: readonly string[];
  group: string;
  apiVersion: string;
  namespaced: boolean;
  kind: string;
  verbs: readonly string[];
  categories: readonly string[];
}

const API_RESOURCES_EXAMPLE = `  # Print the supported API resources
  kubectl api-resources
  
  # Print the supported API resources with more information
  kubectl api-resources -o wide
  
  # Print the supported API resources sorted by a column
  kubectl api-resources --sort-by=name
  
  # Print the supported namespaced resources
  kubectl api-resources --namespaced=true
  
  # Print the supported non-namespaced resources
  kubectl api-resources --namespaced=false
  
  # Print the supported API resources with a specific APIGroup
  kubectl api-resources --api-group=rbac.authorization.k8s.io`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('api-resources')
    .description('Print the supported API resources on the server')
    .option('-o, --output <format>', "Output format. One of: (wide, name).")
    .option('--namespaced [bool]', 'If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default.')
    .option('--api-group <group>', 'Limit to resources in the specified API group.')
    .option('--no-headers', "When using the default or custom-column output format, don't print headers (default print headers).")
    .option('--sort-by <field>', "If non-empty, sort list of resources using specified field. The field can be either 'name' or 'kind'.")
    .option('--verbs <verbs>', 'Limit to resources that support the specified verbs.')
    .option('--categories <categories>', 'Limit to resources that belong to the specified categories.', (v: string, prev: string[] = []) => [...prev, ...v.split(',')])
    .option('--cached', 'Use the cached list of resources if available.');
  kubectlHelp(cmd, p.name, { long: 'Print the supported API resources on the server.', example: API_RESOURCES_EXAMPLE, use: 'api-resources [flags]' }, { namespaced: 'true', 'no-headers': 'false', categories: '[]', verbs: '[]' }).action(
      p.action(async (ctx, flags: { output?: string; namespaced?: string | boolean; apiGroup?: string; headers?: boolean; sortBy?: string; verbs?: string; categories?: string[] }) => {
        if (flags.output && flags.output !== 'wide' && flags.output !== 'name') throw new CliError(`--output ${flags.output} is not available`);
        if (flags.sortBy && flags.sortBy !== 'name' && flags.sortBy !== 'kind') throw new CliError('--sort-by accepts only name or kind');
        const api = await ctx.api();
        let types: Row[] = [...api.registry.all()].map((t) => ({ ...t, apiVersion: apiVersionOf(t) }));
        // the simulated metrics-server's group, where kubectl's sort by group puts it (none while its
        // APIService is not Available: discovery lists it Stale, without resources; kubectl skips it)
        const at = types.findIndex((t) => t.group > METRICS_GROUP);
        if (await metricsApiListed(api)) types.splice(at < 0 ? types.length : at, 0, ...METRICS_RESOURCES.map((m) => ({ plural: m.plural, shortNames: [], group: METRICS_GROUP, apiVersion: METRICS_GV, namespaced: m.namespaced, kind: m.kind, verbs: [...m.verbs], categories: [] })));
        // the review resources (SelfSubjectAccessReview, ...): served, not stored, so not in the registry
        for (const r of REVIEW_RESOURCES) {
          const i = types.findIndex((t) => t.group > r.group);
          types.splice(i < 0 ? types.length : i, 0, { plural: r.plural, shortNames: [], group: r.group, apiVersion: `${r.group}/${r.version}`, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs, categories: [] });
        }
        if (flags.namespaced !== undefined) {
          const want = flags.namespaced === true || flags.namespaced === 'true';
          types = types.filter((t) => t.namespaced === want);
        }
        if (flags.apiGroup !== undefined) types = types.filter((t) => t.group === flags.apiGroup);
        if (flags.verbs) {
          const verbs = flags.verbs.split(',');
          types = types.filter((t) => verbs.every((v) => t.verbs.includes(v)));
        }
        // kubectl keeps the resources that belong to every category asked for.
        if (flags.categories?.length) types = types.filter((t) => flags.categories!.every((c) => t.categories.includes(c)));
        // kubectl's sort.Stable by the group, or by --sort-by's field: Go's byte order (CSIDriver before CertificateSigningRequest)
        const field = flags.sortBy === 'name' ? (t: Row) => t.plural : flags.sortBy === 'kind' ? (t: Row) => t.kind : (t: Row) => t.group;
        types.sort((a, b) => (field(a) < field(b) ? -1 : field(a) > field(b) ? 1 : 0));
        if (flags.output === 'name') {
          ctx.out(types.map((t) => (t.group ? `${t.plural}.${t.group}` : t.plural) + '\n').join(''));
          return;
        }
        const wide = flags.output === 'wide';
        const rows: string[] = [];
        if (flags.headers !== false) rows.push(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(wide ? ['VERBS', 'CATEGORIES'] : [])].join('\t'));
        for (const t of types) {
          rows.push(
            [t.plural, t.shortNames.join(','), t.apiVersion, String(t.namespaced), t.kind, ...(wide ? [t.verbs.join(','), t.categories.join(',')] : [])].join('\t'),
          );
        }
        ctx.out(tabwrite(rows.join('\n') + '\n', GET_TABLE));
      }),
    );

  const versionsCmd = program
    .command('api-versions')
    .description('Print the supported API versions on the server, in the form of "group/version"');
  kubectlHelp(versionsCmd, p.name, {
    long: 'Print the supported API versions on the server, in the form of "group/version".',
    example: '  # Print the supported API versions\n  kubectl api-versions',
    use: 'api-versions',
  }).action(
      p.action(async (ctx) => {
        const api = await ctx.api();
        const versions = new Set<string>();
        for (const t of api.registry.all()) for (const v of t.versions) versions.add(t.group ? `${t.group}/${v}` : v);
        if (await metricsApiListed(api)) versions.add(METRICS_GV);
        for (const gv of REVIEW_GROUP_VERSIONS) versions.add(gv);
        ctx.out([...versions].sort().map((v) => v + '\n').join(''));
      }),
    );
}
