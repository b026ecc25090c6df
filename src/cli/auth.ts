// `kubesim auth can-i` (and `auth whoami`): answers from the RBAC objects stored in the
// cluster, evaluated by src/rbac as kube-apiserver's RBAC authorizer would.

import type { Command } from 'commander';
import { groupHelp, kubectlHelp } from './kubectl-help';
import { addPrintFlags, allowMissingKeys, outputArgument, type PrintFlagValues } from './flags/print-flags';
import { CliError } from '../api/errors';
import { UnknownResourceError, shortNameWarnings } from '../api/resources';
import type { ApiServer } from '../api/server';
import type { CliContext, GlobalFlags } from './context';
import type { Program } from './root';
import type { RbacObjects, UserInfo } from '../rbac';

interface CanIFlags {
  allNamespaces?: boolean;
  list?: boolean;
  headers?: boolean;
  quiet?: boolean;
  subresource?: string;
}

const CAN_I_LONG = `Check whether an action is allowed.

 VERB is a logical Kubernetes API verb like 'get', 'list', 'watch', 'delete', etc. TYPE is a Kubernetes resource. Shortcuts and groups will be resolved. NONRESOURCEURL is a partial URL that starts with "/". NAME is the name of a particular Kubernetes resource. This command pairs nicely with impersonation. See --as global flag.`;

const CAN_I_EXAMPLE = `  # Check to see if I can create pods in any namespace
  kubectl auth can-i create pods --all-namespaces
  
  # Check to see if I can list deployments in my current namespace
  kubectl auth can-i list deployments.apps
  
  # Check to see if service account "foo" of namespace "dev" can list pods in the namespace "prod"
  # You must be allowed to use impersonation for the global option "--as"
  kubectl auth can-i list pods --as=system:serviceaccount:dev:foo -n prod
  
  # Check to see if I can do everything in my current namespace ("*" means all)
  kubectl auth can-i '*' '*'
  
  # Check to see if I can get the job named "bar" in namespace "foo"
  kubectl auth can-i list jobs.batch/bar -n foo
  
  # Check to see if I can read pod logs
  kubectl auth can-i get pods --subresource=log
  
  # Check to see if I can access the URL /logs/
  kubectl auth can-i get /logs/
  
  # Check to see if I can approve certificates.k8s.io
  kubectl auth can-i approve certificates.k8s.io
  
  # List all allowed actions in namespace "foo"
  kubectl auth can-i --list --namespace=foo`;

const WHOAMI_LONG = `Experimental: Check who you are and your attributes (groups, extra).

        This command is helpful to get yourself aware of the current user attributes,
        especially when dynamic authentication, e.g., token webhook, auth proxy, or OIDC provider,
        is enabled in the Kubernetes cluster.`;

const WHOAMI_EXAMPLE = `  # Get your subject attributes
  kubectl auth whoami
  
  # Get your subject attributes in JSON format
  kubectl auth whoami -o json`;

const NO_HEADERS_WITHOUT_LIST = '--no-headers cannot be set without --list specified';

const RESOURCE_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'use', 'bind', 'impersonate', '*', 'approve', 'sign', 'escalate', 'attest'];
const NON_RESOURCE_VERBS = ['get', 'put', 'post', 'head', 'options', 'delete', 'patch', '*'];

export function register(program: Command, p: Program): void {
  const auth = program.command('auth').description('Inspect authorization');
  auth.configureHelp({ formatHelp: (c) => groupHelp(c as Command, p.name, 'Inspect authorization.', undefined, 'auth [flags]') });
  kubectlHelp(
    auth
      .command('can-i')
      .description('Check whether an action is allowed')
      .argument('[args...]')
      .option('-A, --all-namespaces', 'If true, check the specified action in all namespaces.')
      .option('--list', 'If true, prints all allowed actions.')
      .option('--no-headers', 'If true, prints allowed actions without headers')
      .option('-q, --quiet', 'If true, suppress output and just return the exit code.')
      .option('--subresource <subresource>', 'SubResource such as pod/log or deployment/scale'),
    p.name,
    { long: CAN_I_LONG, example: CAN_I_EXAMPLE, use: 'can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL]' },
    { 'no-headers': 'false' },
  ).action(p.action((ctx, args: string[], flags: CanIFlags) => runCanI(ctx, args, flags, p.name)));

  const whoami = auth
    .command('whoami')
    .description('Experimental: Check self subject attributes');
  addPrintFlags(whoami);
  kubectlHelp(whoami, p.name, { long: WHOAMI_LONG, example: WHOAMI_EXAMPLE, use: 'whoami' }).action(
    p.action(async (ctx, flags: PrintFlagValues) => {
      // PrintFlags.ToPrinter runs before the review is requested: a format it lacks fails first.
      const output = outputArgument(flags);
      if (output !== undefined && !WHOAMI_FORMATS.includes(output.split('=')[0])) {
        throw new CliError(`unable to match a printer suitable for the output format "${output}", allowed formats are: ${WHOAMI_FORMATS.join(',')}`);
      }
      const user = await userOf(ctx.flags);
      if (output) {
        // kubectl prints the typed review: JSON in Go struct order (YAML sorts anyway)
        const review = { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, status: { userInfo: { username: user.name, groups: user.groups } } };
        const { outputPrinter } = await import('./flags/output');
        ctx.out(outputPrinter(output, ctx, { showManagedFields: flags.showManagedFields, allowMissingKeys: allowMissingKeys(flags), sortJsonKeys: false })([review as any], false));
        return 0;
      }
      const { tabwrite, GET_TABLE } = await import('../printers/tabwriter');
      ctx.out(tabwrite(`ATTRIBUTE\tVALUE\nUsername\t${user.name}\nGroups\t[${user.groups.join(' ')}]\n`, GET_TABLE));
      return 0;
    }),
  );
}

/** The formats of whoami's PrintFlags (no table printers), sorted as kubectl lists them. */
const WHOAMI_FORMATS = ['go-template', 'go-template-file', 'json', 'jsonpath', 'jsonpath-as-json', 'jsonpath-file', 'name', 'template', 'templatefile', 'yaml'];

/** Who the review asks about: the user --as impersonates (the global flags), else the CLI's admin. */
async function userOf(flags: GlobalFlags): Promise<UserInfo> {
  const { impersonationHeaders } = await import('./impersonation');
  const { DEFAULT_ADMIN, impersonatedUser } = await import('../rbac');
  impersonationHeaders(flags); // groups or a uid without a user: client-go's error
  return flags.as ? impersonatedUser(flags.as, flags.asGroup ?? []) : DEFAULT_ADMIN;
}

async function rbacObjects(api: ApiServer): Promise<RbacObjects> {
  const list = async (kind: string) => (await api.list(api.registry.forKind('rbac.authorization.k8s.io/v1', kind))).items;
  return { roles: await list('Role'), clusterRoles: await list('ClusterRole'), roleBindings: await list('RoleBinding'), clusterRoleBindings: await list('ClusterRoleBinding') };
}

export async function runCanI(ctx: CliContext, args: string[], flags: CanIFlags, program = 'kubesim'): Promise<number> {
  // CanIOptions.Complete, then Validate.
  if (flags.list) {
    if (args.length) throw new CliError('list option must be specified with no arguments');
    if (flags.quiet || flags.allNamespaces || flags.subresource) throw new CliError("list option can't be specified with neither quiet, all-namespaces nor subresource options");
  } else if (args.length !== 2) {
    throw new CliError(`you must specify two arguments: verb resource or verb resource/resourceName.\nSee '${program} auth can-i -h' for help and examples.`);
  }
  const rbac = await import('../rbac');
  const user = await userOf(ctx.flags);
  const api = await ctx.api();
  const objs = rbac.withBootstrap(await rbacObjects(api));
  const namespace = flags.allNamespaces ? '' : ctx.namespace;

  if (flags.list) {
    const { tabwrite, GET_TABLE } = await import('../printers/tabwriter');
    const rules = rbac.rulesFor(objs, user, namespace);
    ctx.out(tabwrite(rbac.rulesTableRows(rules, flags.headers === false).map((r) => r + '\n').join(''), GET_TABLE));
    return 0;
  }

  const [verb, what, nameArg] = args;
  let decision: { allowed: boolean; reason: string };
  if (what.startsWith('/')) {
    if (flags.subresource) throw new CliError('--subresource can not be used with NonResourceURL');
    if (nameArg) throw new CliError('NonResourceURL and ResourceName can not specified together');
    if (!NON_RESOURCE_VERBS.includes(verb)) ctx.err(`Warning: verb '${verb}' is not a known verb\n\n`);
    if (flags.headers === false) throw new CliError(NO_HEADERS_WITHOUT_LIST);
    decision = rbac.decide(objs, user, { verb, path: what });
  } else {
    const slash = what.indexOf('/');
    const resourceArg = slash >= 0 ? what.slice(0, slash) : what;
    const name = slash >= 0 ? what.slice(slash + 1) : nameArg ?? '';
    let group = '';
    let resource = resourceArg;
    let namespaced = true;
    if (resourceArg !== '*') {
      for (const text of shortNameWarnings(api.registry.all(), resourceArg)) ctx.err(`Warning: ${text}\n`);
      try {
        const t = api.registry.resolve(resourceArg);
        group = t.group;
        resource = t.plural;
        namespaced = t.namespaced;
      } catch (e) {
        if (!(e instanceof UnknownResourceError)) throw e;
        // kubectl asks anyway, about the name as typed (`group` from a dotted suffix).
        ctx.err(`Warning: the server doesn't have a resource type '${resourceArg}'\n\n`);
        const dot = resourceArg.indexOf('.');
        if (dot > 0) {
          resource = resourceArg.slice(0, dot);
          group = resourceArg.slice(dot + 1);
        }
      }
    }
    if (!namespaced && !flags.allNamespaces) {
      ctx.err(group ? `Warning: resource '${resource}' is not namespace scoped in group '${group}'\n\n` : `Warning: resource '${resource}' is not namespace scoped\n\n`);
    }
    // kubectl's warning printer adds a newline to a message that ends in one already
    if (!RESOURCE_VERBS.includes(verb)) ctx.err(`Warning: verb '${verb}' is not a known verb\n\n`);
    if (flags.headers === false) throw new CliError(NO_HEADERS_WITHOUT_LIST);
    decision = rbac.decide(objs, user, { verb, group, resource, subresource: flags.subresource, name, namespace: namespaced ? namespace : '' });
  }
  // kubectl prints a denial's reason after `no - ` (RBAC's: a binding's missing role).
  if (!flags.quiet) ctx.out(decision.allowed ? 'yes\n' : decision.reason ? `no - ${decision.reason}\n` : 'no\n');
  return decision.allowed ? 0 : 1;
}
