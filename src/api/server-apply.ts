// Server-side apply of a configuration, as kube-apiserver's apply patch: the object is
// created when missing, else the configuration is merged into it by field ownership; a
// write that lost a race with another is read, merged and written again. One place for the
// REST handler's apply PATCH and the in-process CLI (ApiSource).

import { ApiError } from './errors';
import { asVersion } from './conversion/events';
import { pluralGroup, type ResourceType } from './resources';
import { retryOnConflict } from './retry';
import { appliedObjectError, serverSideApply, withoutFieldManager } from './managed-fields/index';
import type { ApiServer, WriteOptions } from './server';
import type { KObject } from './types';

export interface ApplyOptions extends WriteOptions {
  fieldManager: string;
  /** --force-conflicts: the fields other managers own are taken over rather than refused. */
  force: boolean;
  /** Applied through the status subresource (which never creates). */
  status?: boolean;
}

/**
 * Applies `config` (its apiVersion and kind the request's, its name and namespace set) as
 * `opts.fieldManager`. A field conflict is an ApplyConflictError (409), never retried.
 */
export async function applyObject(api: ApiServer, rt: ResourceType, config: KObject, opts: ApplyOptions): Promise<{ object: KObject; created: boolean }> {
  const { namespace, name } = config.metadata;
  let created = false;
  const ctx = api.trackContext(rt, config, opts.status ? 'status' : undefined);
  // What structured-merge-diff took but the Go type refuses fails converting the merged object.
  const undecodable = appliedObjectError(config, ctx);
  const object = await retryOnConflict(
    () => api.tryGet(rt, namespace, name!),
    async (live) => {
      if (!live && opts.status) throw ApiError.notFound(pluralGroup(rt), name!);
      // The live object as the configuration's group/version names it.
      const current = live && asVersion(live, config.apiVersion, config.kind);
      const merged = await serverSideApply(current, config, opts.fieldManager, opts.force, ctx);
      // Written at the resourceVersion read: a write in between is a Conflict, and another try.
      if (live) merged.metadata.resourceVersion = live.metadata.resourceVersion;
      return merged;
    },
    // managedFields are the apply's own: no manager named for the write, not even the
    // controller's whose reconcile applies (the VAP status controller's).
    (merged, live) => withoutFieldManager(() => {
      const w = { dryRun: opts.dryRun, user: opts.user, subresource: opts.status ? undefined : opts.subresource, warn: opts.warn, patch: true, undecodable };
      created = !live;
      if (!live) return api.create(merged, { dryRun: opts.dryRun, user: opts.user, warn: opts.warn, patch: true, undecodable });
      return opts.status ? api.updateStatus(merged, w) : api.update(merged, w);
    }),
  );
  return { object, created };
}
