// Every verb, one module each. A module exports `register(program, p)`, which declares the
// verb's flags and wires its action; heavy work is imported lazily inside the action.

import type { Command } from 'commander';
import type { Program } from './root';

import * as annotate from './annotate';
import * as apiResources from './api-resources';
import * as apply from './apply';
import * as config from './config';
import * as create from './create';
import * as del from './delete';
import * as describe from './describe';
import * as events from './events';
import * as expose from './expose';
import * as get from './get';
import * as run from './run';
import * as label from './label';
import * as patch from './patch';
import * as replace from './replace';
import * as scale from './scale';
import * as set from './set';
import * as validate from './validate';
import * as version from './version';
import * as plugin from './plugin';
import * as applyLastApplied from './apply-last-applied';
import * as createToken from './create-token';
import * as certificate from './certificate';
import * as authReconcile from './auth-reconcile';
import * as explain from './explain';
import * as auth from './auth';
import * as clusterInfo from './cluster-info';
import * as diff from './diff';
import * as completion from './completion';
import * as rollout from './rollout';
import * as wait from './wait';
import * as cordon from './cordon';
import * as drain from './drain';
import * as taint from './taint';
import * as autoscale from './autoscale';
import * as edit from './edit';
import * as top from './top';
import * as exec from './exec';
import * as attach from './attach';
import * as portForward from './port-forward';
import * as cp from './cp';
import * as proxy from './proxy';
import * as logs from './logs';
import * as check from './check';
import * as trace from './trace';
import * as snapshot from './snapshot';
import * as serve from './serve';
import * as kubeconfig from './kubeconfig';
import * as dashboard from './dashboard';
import * as kustomize from './kustomize';
import * as debug from './debug';

import * as cluster from './cluster';
import * as clock from './clock';
import * as node from './node';
import * as image from './image';
import * as reconcile from './reconcile';
export type Register = (program: Command, p: Program) => void;

export const COMMANDS: Register[] = [
  create.register,
  get.register,
  apply.register,
  del.register,
  describe.register,
  events.register,
  run.register,
  expose.register,
  label.register,
  annotate.register,
  scale.register,
  patch.register,
  set.register,
  replace.register,
  apiResources.register,
  config.register,
  validate.register,
  cluster.register,
  reconcile.register,
  clock.register,
  node.register,
  image.register,
  version.register,
  explain.register,
  auth.register,
  clusterInfo.register,
  diff.register,
  completion.register,
  rollout.register,
  wait.register,
  cordon.register,
  drain.register,
  taint.register,
  autoscale.register,
  edit.register,
  top.register,
  exec.register,
  attach.register,
  portForward.register,
  cp.register,
  proxy.register,
  logs.register,
  check.register,
  trace.register,
  snapshot.register,
  serve.register,
  kubeconfig.register,
  dashboard.register,
  kustomize.register,
  debug.register,
  // After the verbs they add sub-commands to (apply, create, auth).
  plugin.register,
  applyLastApplied.register,
  createToken.register,
  certificate.register,
  authReconcile.register,
];
