// The start-up fast path of `get pod NAME [-n NS]` from the cluster's file store
// (dist/fast-get-store.cjs, loaded by src/fast.ts for that form alone, src/fast-get-form.ts):
// the pod read by src/api/fast-read.ts and printed by the pod table's columns
// (src/printers/columns/pods.ts) and the get table's layout, or the NotFound `get` prints,
// with none of the CLI bundle. In-process (KUBESIM_NO_DAEMON=1) the CLI reads that store
// itself (on the running clock while `kubesim serve` or a daemon runs the cluster, on the
// frozen one otherwise); with the daemon serving it answers from the same store, and reading it here spares
// the socket client (`net` and its streams: more than the rest of the command, round 41 of
// docs/perf-issue-18.md). Whatever the reader declines, or any other type, prints nothing
// and the next path runs the command (a read: running it again changes nothing).

import { readForGet } from './api/fast-read';
import { ApiError } from './api/errors';
import { pluralGroup } from './api/resources';
import { validName } from './api/keys';
import { clusterDir, selectCluster } from './cli/context-select';
import { formatApiError } from './cli/format-error';
import { pods } from './printers/columns/pods';
import { layoutRows, rowsOf } from './printers/table-layout';
import { writeOut } from './util/stdout-epipe';
import { fastGetNamespace } from './fast-get-form';
import { daemonEndpoint } from './client/daemon-endpoint';
import { localServerRuns } from './daemon/daemon-pid';

/** Prints `get pod NAME [-n NS]` from the store (`viaDaemon`: as the serving daemon answers it) and returns true, or returns false having printed nothing. */
export function runFastGetStore(argv: readonly string[], viaDaemon: boolean): boolean {
  const flagNamespace = fastGetNamespace(argv);
  if (flagNamespace === undefined) return false;
  const [, typeArg, name] = argv;
  let out: { fd: 1 | 2; text: string };
  try {
    const selected = selectCluster({});
    if (selected.kubeconfigError) return false; // the CLI's to report
    // -n, else the context's namespace, else `default` (CliContext.namespace).
    const namespace = flagNamespace || selected.contextNamespace || 'default';
    // A context's namespace that can be no key: the CLI's to answer.
    if (!validName(namespace)) return false;
    const dir = clusterDir(selected.home, selected.clusterName);
    // Through the daemon only when the CLI would ask it (else it starts one, or reads in-process).
    if (viaDaemon && daemonEndpoint(dir) === undefined) return false;
    const read = readForGet(dir, typeArg, namespace, name, { accept: (t) => t.kind === 'Pod' && t.group === '', daemonServes: viaDaemon, clusterRuns: () => localServerRuns(dir) });
    if (!read) return false;
    const { object, now } = read;
    if (object) out = { fd: 1, text: layoutRows(rowsOf(pods.columns, (o) => pods.cells(o, now, false), [object], {})) };
    else {
      // As get's notFoundError (src/cli/flags/targets.ts): a missing namespace other than `default` is named instead.
      const e = read.namespaceFound === false ? ApiError.notFound('namespaces', namespace) : ApiError.notFound(pluralGroup(read.type), name);
      out = { fd: 2, text: formatApiError(e) };
    }
  } catch {
    return false;
  }
  // Printed: from here on the command is this path's, whatever happens.
  if (out.fd === 2) process.exitCode = 1;
  writeOut(out.fd, out.text);
  return true;
}
