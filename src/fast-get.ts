// The start-up fast path of `get TYPE NAME [-n NS]` (dist/fast-get.cjs, loaded by src/fast.ts
// for that form alone, src/fast-get-form.ts): with the cluster's daemon serving on its Unix
// socket, one GET of the server's Table, printed by the get table printer's layout
// (src/printers/table-layout.ts), with none of the CLI bundle (commander, the store, schemas,
// the REST client's node:http).
// It asks and prints exactly what `get` through the daemon does (src/cli/get.ts,
// get-remote.ts); whenever that is not certain — no daemon, KUBESIM_NO_DAEMON=1, a type
// only the server's CRDs name, any answer but a Table of one row — it prints nothing and
// the full CLI runs the command (a read, so asking twice changes nothing).

import { ResourceRegistry, isShortName, objectPath, shortNameWarnings, type ResourceType } from './api/resources';
import { CRD_INDEX } from './api/keys';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { clusterDir, selectCluster } from './cli/context-select';
import { TABLE_ACCEPT, USER_AGENT, daemonEndpoint } from './client/daemon-endpoint';
import { socketGet } from './client/socket-get';
import { layoutRows, rowsOf, servedCells, servedColumns, type TableBody } from './printers/table-layout';
import type { KObject } from './api/types';
import { exitQuietlyOnEpipe } from './util/stdout-epipe';
import { parseJson } from './util/exact-json';
import { fastGetNamespace } from './fast-get-form';

/** As the REST client waits (src/client/rest-client.ts). */
const TIMEOUT_MS = 30_000;

/** Prints `get TYPE NAME [-n NS]` through the daemon and resolves true, or resolves false having printed nothing. */
export async function runFastGet(argv: readonly string[]): Promise<boolean> {
  const flagNamespace = fastGetNamespace(argv);
  if (flagNamespace === undefined) return false;
  const [, typeArg, name] = argv;
  let request;
  try {
    // The built-in kinds resolve the argument as RemoteObjects.selections does before it asks for CRDs.
    const registry = new ResourceRegistry();
    const type = registry.resolve(typeArg);
    if (shortNameWarnings(registry.all(), typeArg).length) return false; // the CLI's to warn of
    const selected = selectCluster({});
    if (selected.kubeconfigError) return false; // the CLI's to report
    const dir = clusterDir(selected.home, selected.clusterName);
    const endpoint = daemonEndpoint(dir);
    if (!endpoint || !('token' in endpoint.creds) || endpoint.creds.socketPath === undefined) return false;
    // A built-in's short name a CRD's resource may also have: the CLI's to warn of.
    if (isShortName(registry.all(), typeArg) && crdShortNameMayClash(dir, typeArg)) return false;
    // -n, else the context's namespace, else `default` (CliContext.namespace); none for a cluster-scoped type.
    const namespace = type.namespaced ? flagNamespace || selected.contextNamespace || 'default' : undefined;
    request = {
      socketPath: endpoint.creds.socketPath,
      path: `${objectPath(type, namespace, name)}?includeObject=None`,
      headers: { accept: TABLE_ACCEPT, authorization: `Bearer ${endpoint.creds.token}`, 'user-agent': USER_AGENT },
    };
  } catch {
    return false;
  }
  const res = await socketGet(request.socketPath, request.path, request.headers, TIMEOUT_MS).catch(() => undefined);
  // Warnings, errors (not found, forbidden) and anything unusual are the CLI's to print.
  if (!res || res.status !== 200 || res.headers.warning !== undefined) return false;
  let table: TableBody & { kind?: unknown };
  try {
    table = parseJson(res.body) as TableBody & { kind?: unknown }; // an int64 cell past 2^53 keeps its digits
  } catch {
    return false;
  }
  if (table.kind !== 'Table' || !Array.isArray(table.columnDefinitions) || !Array.isArray(table.rows) || table.rows.length !== 1 || !Array.isArray(table.rows[0].cells)) return false;
  const row = table.rows[0];
  const object = { metadata: {} } as KObject;
  const text = layoutRows(rowsOf(servedColumns(table.columnDefinitions), () => servedCells(row), [object], {}));
  exitQuietlyOnEpipe();
  process.stdout.write(text);
  return true;
}

/**
 * Whether a custom resource type may have `typeArg`'s short name: per the file store's CRD index
 * (ApiServer.loadCustomTypes's meta document, read as a whole file: it is written by rename);
 * any other store, or an index not read, may.
 */
function crdShortNameMayClash(dir: string, typeArg: string): boolean {
  if (existsSync(join(dir, 'store-url'))) return true;
  try {
    const types = parseJson(readFileSync(join(dir, 'meta', `${CRD_INDEX}.json`), 'utf8')) as ResourceType[];
    return isShortName(types, typeArg);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}
