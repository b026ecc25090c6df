// Every verb, one module each. A module exports `register(program, p)`, which declares the
// verb's flags and wires its action; heavy work is imported lazily inside the action.
// Modules are loaded on demand (import() keeps them lazy in the bundle): a run that names a
// verb loads and registers only the modules that declare or extend it, so a command does
// not pay for initialising and declaring sixty others (test/e2e/command-table.test.ts
// checks the names below against what each module registers).

import type { Command } from 'commander';
import type { Program } from './root';

export type Register = (program: Command, p: Program) => void;
type VerbModule = () => Promise<{ register: Register }>;

/** Each module, in registration order, with the root commands it declares or adds to. */
export const COMMANDS: Array<[names: string[], load: VerbModule]> = [
  [['create'], () => import('./create')],
  [['get'], () => import('./get')],
  [['apply'], () => import('./apply')],
  [['delete'], () => import('./delete')],
  [['describe'], () => import('./describe')],
  [['events'], () => import('./events')],
  [['run'], () => import('./run')],
  [['expose'], () => import('./expose')],
  [['label'], () => import('./label')],
  [['annotate'], () => import('./annotate')],
  [['scale'], () => import('./scale')],
  [['patch'], () => import('./patch')],
  [['set'], () => import('./set')],
  [['replace'], () => import('./replace')],
  [['api-resources', 'api-versions'], () => import('./api-resources')],
  [['config'], () => import('./config')],
  [['validate'], () => import('./validate')],
  [['cluster'], () => import('./cluster')],
  [['reconcile'], () => import('./reconcile')],
  [['clock'], () => import('./clock')],
  [['node'], () => import('./node')],
  [['image'], () => import('./image')],
  [['version'], () => import('./version')],
  [['explain'], () => import('./explain')],
  [['auth'], () => import('./auth')],
  [['cluster-info'], () => import('./cluster-info')],
  [['diff'], () => import('./diff')],
  [['completion', '__complete'], () => import('./completion')],
  [['rollout'], () => import('./rollout')],
  [['wait'], () => import('./wait')],
  [['cordon', 'uncordon'], () => import('./cordon')],
  [['drain'], () => import('./drain')],
  [['taint'], () => import('./taint')],
  [['autoscale'], () => import('./autoscale')],
  [['edit'], () => import('./edit')],
  [['top'], () => import('./top')],
  [['exec'], () => import('./exec')],
  [['attach'], () => import('./attach')],
  [['port-forward'], () => import('./port-forward')],
  [['cp'], () => import('./cp')],
  [['proxy'], () => import('./proxy')],
  [['logs'], () => import('./logs')],
  [['check'], () => import('./check')],
  [['trace'], () => import('./trace')],
  [['snapshot'], () => import('./snapshot')],
  [['serve'], () => import('./serve')],
  [['kubeconfig'], () => import('./kubeconfig')],
  [['dashboard'], () => import('./dashboard')],
  [['kustomize'], () => import('./kustomize')],
  [['debug'], () => import('./debug')],
  // After the verbs they add sub-commands to (apply, create, auth).
  [['plugin', 'options'], () => import('./plugin')],
  [['apply'], () => import('./apply-last-applied')],
  [['create'], () => import('./create-token')],
  [['certificate'], () => import('./certificate')],
  [['auth'], () => import('./auth-reconcile')],
];

/** Verbs whose actions read the whole command tree (completions, plugin shadowing, options). */
const WHOLE_TREE = new Set(['completion', '__complete', 'plugin', 'options']);

/**
 * The register functions for a run of `verb`, in registration order: the modules that
 * declare or extend it, or every module when the verb is unknown, absent (help) or reads
 * the whole tree.
 */
export async function registersFor(verb: string | undefined): Promise<Register[]> {
  const known = verb !== undefined && !WHOLE_TREE.has(verb) && COMMANDS.some(([names]) => names.includes(verb));
  const mods = await Promise.all(COMMANDS.filter(([names]) => !known || names.includes(verb)).map(([, load]) => load()));
  return mods.map((m) => m.register);
}
