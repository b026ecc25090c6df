// `kubesim auth can-i` (and `auth whoami`): answers from the RBAC objects stored in the
// cluster, evaluated by src/rbac as kube-apiserver's RBAC authorizer would.

import type { Command } from 'commander';
import { groupHelp } from './kubectl-help';
import { CliError } from '../api/errors';
import { UnknownResourceError } from '../api/resources';
import type { ApiServer } from '../api/server';
import type { CliContext } from './context';
import type { Program } from './root';
import { collect } from './flags/collect';
import type { RbacObjects, UserInfo } from '../rbac';

interface CanIFlags {
  allNamespaces?: boolean;
  list?: boolean;
  headers?: boolean;
  quiet?: boolean;
  subresource?: string;
  as?: string;
  asGroup?: string[];
}

const RESOURCE_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'use', 'bind', 'impersonate', '*', 'approve', 'sign', 'escalate', 'attest'];
const NON_RESOURCE_VERBS = ['get', 'put', 'post', 'head', 'options', 'delete', 'patch', '*'];

export function register(program: Command, p: Program): void {
  const auth = program.command('auth').description('Inspect authorization');
  auth.configureHelp({ formatHelp: (c) => groupHelp(c as Command, p.name, 'Inspect authorization.', undefined, 'auth [flags]') });
  auth
    .command('can-i')
    .description('Check whether an action is allowed')
    .usage('VERB [TYPE | TYPE/NAME | NONRESOURCEURL]')
    .argument('[args...]')
    .option('-A, --all-namespaces', 'If true, check the specified action in all namespaces.')
    .option('--list', 'If true, prints all allowed actions.')
    .option('--no-headers', 'If true, prints allowed actions without headers')
    .option('-q, --quiet', 'If true, suppress output and just return the exit code.')
    .option('--subresource <subresource>', 'SubResource such as pod/log or deployment/scale')
    .option('--as <user>', 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace.')
    .option('--as-group <group>', 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups.', collect, [])
    .addHelpText('after', `
Examples:
  # Check to see if I can create pods in any namespace
  kubesim auth can-i create pods --all-namespaces

  # Check to see if I can list deployments in my current namespace
  kubesim auth can-i list deployments.apps

  # Check to see if service account "foo" of namespace "dev" can list pods in the namespace "prod"
  kubesim auth can-i list pods --as=system:serviceaccount:dev:foo -n prod

  # Check to see if I can do everything in my current namespace ("*" means all)
  kubesim auth can-i '*' '*'

  # Check to see if I can get the job named "bar" in namespace "foo"
  kubesim auth can-i list jobs.batch/bar -n foo

  # Check to see if I can read pod logs
  kubesim auth can-i get pods --subresource=log

  # Check to see if I can access the URL /logs/
  kubesim auth can-i get /logs/

  # List all allowed actions in namespace "foo"
  kubesim auth can-i --list --namespace=foo`)
    .action(p.action((ctx, args: string[], flags: CanIFlags) => runCanI(ctx, args, flags)));

  auth
    .command('whoami')
    .description('Experimental: Check self subject attributes')
    .option('-o, --output <format>', 'Output format. One of: (json, yaml).')
    .option('--as <user>', 'Username to impersonate for the operation.')
    .option('--as-group <group>', 'Group to impersonate for the operation.', collect, [])
    .action(
      p.action(async (ctx, flags: { output?: string; as?: string; asGroup?: string[] }) => {
        const user = await userOf(flags);
        if (flags.output === 'json' || flags.output === 'yaml') {
          const review = { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, status: { userInfo: { username: user.name, groups: user.groups } } };
          const { outputPrinter } = await import('./flags/output');
          ctx.out(outputPrinter(flags.output, ctx)([review as any], false));
          return 0;
        }
        if (flags.output) throw new CliError(`unable to match a printer suitable for the output format "${flags.output}", allowed formats are: json,yaml`);
        const { tabwrite, GET_TABLE } = await import('../printers/tabwriter');
        ctx.out(tabwrite(`ATTRIBUTE\tVALUE\nUsername\t${user.name}\nGroups\t[${user.groups.join(' ')}]\n`, GET_TABLE));
        return 0;
      }),
    );
}

async function userOf(flags: { as?: string; asGroup?: string[] }): Promise<UserInfo> {
  const { DEFAULT_ADMIN, impersonatedUser } = await import('../rbac');
  if (!flags.as) {
    if (flags.asGroup?.length) throw new CliError('requesting uid, groups or user-extra for  without impersonating a user');
    return DEFAULT_ADMIN;
  }
  return impersonatedUser(flags.as, flags.asGroup ?? []);
}

async function rbacObjects(api: ApiServer): Promise<RbacObjects> {
  const list = async (kind: string) => (await api.list(api.registry.forKind('rbac.authorization.k8s.io/v1', kind))).items;
  return { roles: await list('Role'), clusterRoles: await list('ClusterRole'), roleBindings: await list('RoleBinding'), clusterRoleBindings: await list('ClusterRoleBinding') };
}

export async function runCanI(ctx: CliContext, args: string[], flags: CanIFlags): Promise<number> {
  if (flags.list) {
    if (args.length) throw new CliError('list option must be specified with no arguments');
    if (flags.quiet) throw new CliError('list option must not be specified with quiet');
  } else if (args.length !== 2 && args.length !== 3) {
    throw new CliError('you must specify two or three arguments: verb, resource, and optional resourceName');
  }
  const rbac = await import('../rbac');
  const user = await userOf(flags);
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
  let allowed: boolean;
  if (what.startsWith('/')) {
    if (flags.subresource) throw new CliError('--subresource can not be used with NonResourceURL');
    if (nameArg) throw new CliError('NonResourceURL and ResourceName can not specified together');
    if (!NON_RESOURCE_VERBS.includes(verb)) ctx.err(`Warning: verb '${verb}' is not a known verb\n`);
    allowed = rbac.authorize(objs, user, { verb, path: what });
  } else {
    const slash = what.indexOf('/');
    const resourceArg = slash >= 0 ? what.slice(0, slash) : what;
    const name = slash >= 0 ? what.slice(slash + 1) : nameArg ?? '';
    let group = '';
    let resource = resourceArg;
    let namespaced = true;
    if (resourceArg !== '*') {
      try {
        const t = api.registry.resolve(resourceArg);
        group = t.group;
        resource = t.plural;
        namespaced = t.namespaced;
      } catch (e) {
        if (!(e instanceof UnknownResourceError)) throw e;
        // kubectl asks anyway, about the name as typed (`group` from a dotted suffix).
        ctx.err(`Warning: the server doesn't have a resource type '${resourceArg}'\n`);
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
    if (!RESOURCE_VERBS.includes(verb)) ctx.err(`Warning: verb '${verb}' is not a known verb\n`);
    allowed = rbac.authorize(objs, user, { verb, group, resource, subresource: flags.subresource, name, namespace: namespaced ? namespace : '' });
  }
  if (!flags.quiet) ctx.out(allowed ? 'yes\n' : 'no\n');
  return allowed ? 0 : 1;
}
