// The etcd backend as `etcdctl endpoint status -w table` and `etcdctl member list -w table`
// show it (for `kubesim cluster status`), with the store revision as an extra column.
// Each endpoint is asked on its own, so one that does not answer is a row saying so
// rather than a failure of the whole report.

import { etcdClient, parseEtcdEndpoints, reachable } from './etcd-store';

export interface EndpointStatus {
  endpoint: string;
  id?: string;
  version?: string;
  dbSize?: number;
  revision?: number;
  leader?: boolean;
  learner?: boolean;
  raftTerm?: string;
  raftIndex?: string;
  raftApplied?: string;
  errors: string[];
}

export interface MemberRow {
  id: string;
  status: string;
  name: string;
  peerUrls: string;
  clientUrls: string;
  learner: boolean;
}

const hexId = (id: string): string => BigInt(id).toString(16);

export async function endpointStatuses(endpoints: string[], timeoutMs = 3000): Promise<EndpointStatus[]> {
  return Promise.all(
    endpoints.map(async (endpoint): Promise<EndpointStatus> => {
      if (!(await reachable(endpoint, Math.min(timeoutMs, 1000)))) return { endpoint, errors: ['unreachable'] };
      const client = etcdClient([endpoint], timeoutMs);
      try {
        const s = await client.maintenance.status();
        return {
          endpoint,
          id: hexId(s.header.member_id),
          version: s.version,
          dbSize: Number(s.dbSize),
          revision: Number(s.header.revision),
          leader: s.header.member_id === s.leader,
          learner: Boolean((s as { isLearner?: boolean }).isLearner),
          raftTerm: s.raftTerm,
          raftIndex: s.raftIndex,
          raftApplied: (s as { raftAppliedIndex?: string }).raftAppliedIndex ?? '',
          errors: s.errors ?? [],
        };
      } catch (e) {
        return { endpoint, errors: [String((e as Error).message).replace(/^\d+ [A-Z_]+: /, '')] };
      } finally {
        client.close();
      }
    }),
  );
}

/** The members, as any endpoint that answers knows them; undefined when none does. */
export async function memberList(endpoints: string[], timeoutMs = 3000): Promise<MemberRow[] | undefined> {
  for (const endpoint of endpoints) {
    if (!(await reachable(endpoint, Math.min(timeoutMs, 1000)))) continue;
    const client = etcdClient([endpoint], timeoutMs);
    try {
      const res = await client.cluster.memberList({});
      return [...res.members]
        .sort((a, b) => (BigInt(a.ID) < BigInt(b.ID) ? -1 : BigInt(a.ID) > BigInt(b.ID) ? 1 : 0))
        .map((m) => ({
          id: hexId(m.ID),
          status: m.name ? 'started' : 'unstarted',
          name: m.name,
          peerUrls: m.peerURLs.join(','),
          clientUrls: m.clientURLs.join(','),
          learner: m.isLearner,
        }));
    } catch {
      // try the next endpoint
    } finally {
      client.close();
    }
  }
  return undefined;
}

/** Sizes as go-humanize's Bytes prints them (SI units), which etcdctl uses. */
export function humanBytes(n: number): string {
  if (n < 10) return `${n} B`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const val = Math.floor((n / 1000 ** e) * 10 + 0.5) / 10;
  return `${val < 10 ? val.toFixed(1) : roundHalfEven(val)} ${units[e]}`;
}

function roundHalfEven(v: number): string {
  const f = Math.floor(v);
  const d = v - f;
  return String(d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f);
}

/** A table as etcdctl draws it (tablewriter: centred headers, right-aligned cells). */
export function drawTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+\n';
  const centre = (s: string, w: number) => {
    const left = Math.floor((w - s.length) / 2);
    return ' '.repeat(left) + s + ' '.repeat(w - s.length - left);
  };
  const line = (cells: string[], pad: (s: string, w: number) => string) => '|' + cells.map((c, i) => ` ${pad(c, widths[i])} `).join('|') + '|\n';
  return rule + line(header, centre) + rule + rows.map((r) => line(r, (s, w) => s.padStart(w))).join('') + rule;
}

export function formatEndpointStatus(rows: EndpointStatus[]): string {
  const header = ['ENDPOINT', 'ID', 'VERSION', 'DB SIZE', 'REVISION', 'IS LEADER', 'IS LEARNER', 'RAFT TERM', 'RAFT INDEX', 'RAFT APPLIED INDEX', 'ERRORS'];
  return drawTable(
    header,
    rows.map((r) =>
      r.id === undefined
        ? [r.endpoint, '', '', '', '', '', '', '', '', '', r.errors.join(', ')]
        : [r.endpoint, r.id, r.version ?? '', humanBytes(r.dbSize ?? 0), String(r.revision ?? ''), String(r.leader), String(r.learner), r.raftTerm ?? '', r.raftIndex ?? '', r.raftApplied ?? '', r.errors.join(', ')],
    ),
  );
}

export function formatMembers(members: MemberRow[]): string {
  return drawTable(
    ['ID', 'STATUS', 'NAME', 'PEER ADDRS', 'CLIENT ADDRS', 'IS LEARNER'],
    members.map((m) => [m.id, m.status, m.name, m.peerUrls, m.clientUrls, String(m.learner)]),
  );
}

/** The whole backend report of `cluster status` for an etcd store. */
export async function etcdBackendReport(endpoints: string[]): Promise<string> {
  const [statuses, members] = await Promise.all([endpointStatuses(endpoints), memberList(endpoints)]);
  let out = formatEndpointStatus(statuses);
  out += members ? formatMembers(members) : 'Members: no endpoint answered\n';
  return out;
}

/** The backend report for an `etcd://` store URL. */
export async function etcdStatusForUrl(url: string): Promise<string> {
  const location = url.replace(/^etcd:\/\//, '').replace(/\?.*$/, '');
  return etcdBackendReport(parseEtcdEndpoints(location));
}
