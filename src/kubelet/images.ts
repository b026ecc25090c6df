// Image references as containerd sees them: normalisation (`nginx` →
// `docker.io/library/nginx:latest`), validity (InvalidImageName), and whether the
// simulated registry has the image (profile globs for missing/unreachable images).

import { RE2JS } from 're2js';
import type { ClusterProfile } from '../sim/profile';
import { fnv32a } from '../sim/rng';

const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?';
// RE2: linear time on hostile image names (the backtracking engine blows up on some).
const REFERENCE = RE2JS.compile(`^(?:(${DOMAIN})/)?(${NAME_COMPONENT}(?:/${NAME_COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`);

export interface ImageRef {
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
  /** Fully qualified: docker.io/library/nginx:latest */
  full: string;
}

/** Parses a reference; undefined when containerd would say `invalid reference format`. */
export function parseImage(ref: string): ImageRef | undefined {
  if (ref.length > 4096) return undefined;
  const mt = REFERENCE.matcher(ref);
  if (!mt.matches()) return undefined;
  let domain = mt.group(1) ?? undefined;
  let p = mt.group(2) as string;
  let tag = mt.group(3) ?? undefined;
  const digest = mt.group(4) ?? undefined;
  if (digest) {
    const [algo, hex] = digest.split(':');
    if (algo === 'sha256' && !/^[0-9a-f]{64}$/.test(hex)) return undefined;
    if (algo === 'sha512' && !/^[0-9a-f]{128}$/.test(hex)) return undefined;
  }
  // the first component is a domain only if it looks like one
  if (domain && !domain.includes('.') && !domain.includes(':') && domain !== 'localhost') {
    p = `${domain}/${p}`;
    domain = undefined as unknown as string;
  }
  domain ??= 'docker.io';
  if (domain === 'docker.io' && !p.includes('/')) p = `library/${p}`;
  if (!tag && !digest) tag = 'latest';
  const full = `${domain}/${p}${tag ? ':' + tag : ''}${digest ? '@' + digest : ''}`;
  return { domain, path: p, tag, digest, full };
}

function globMatch(glob: string, s: string): boolean {
  const re = new RegExp('^' + glob.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re.test(s);
}

export type PullOutcome = { ok: true; sizeBytes: number; imageID: string } | { ok: false; error: string };

/** Whether the simulated registry serves the image, and the runtime's error text when not. */
export function pullOutcome(ref: string, profile: ClusterProfile): PullOutcome {
  const img = parseImage(ref)!;
  const matches = (globs: string[] | undefined) => (globs ?? []).some((g) => globMatch(g, ref) || globMatch(g, img.full));
  if (matches(profile.images?.unreachable)) {
    const manifest = `https://${img.domain === 'docker.io' ? 'registry-1.docker.io' : img.domain}/v2/${img.path}/manifests/${img.digest ?? img.tag}`;
    return {
      ok: false,
      error: `rpc error: code = Unknown desc = failed to pull and unpack image "${img.full}": failed to resolve reference "${img.full}": failed to do request: Head "${manifest}": dial tcp: lookup ${img.domain === 'docker.io' ? 'registry-1.docker.io' : img.domain.split(':')[0]}: no such host`,
    };
  }
  if (matches(profile.images?.missing)) {
    return {
      ok: false,
      error: `rpc error: code = NotFound desc = failed to pull and unpack image "${img.full}": failed to resolve reference "${img.full}": ${img.full}: not found`,
    };
  }
  const h = fnv32a(img.full);
  const hex = Array.from({ length: 8 }, (_, i) => (fnv32a(`${img.full}#${i}`) >>> 0).toString(16).padStart(8, '0')).join('');
  return { ok: true, sizeBytes: 5_000_000 + (h % 70_000_000), imageID: `${img.domain}/${img.path}@sha256:${img.digest?.split(':')[1] ?? hex}` };
}
