// Image references as containerd sees them: normalisation (`nginx` →
// `docker.io/library/nginx:latest`), validity (InvalidImageName), and whether the
// simulated registry has the image (profile globs for missing/unreachable images, the
// catalog in src/sim/catalog, the policy for images it does not know).

import { RE2JS } from 're2js';
import type { ClusterProfile } from '../sim/profile';
import { fnv32a, hex64 } from '../sim/rng';
import { askRegistry } from '../sim/catalog';

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
  // A pure function of the string, asked for every container of every pod: remembered
  // (RE2 matching costs ~0.1 ms a call; a Deployment's pods all share one image).
  const known = parsedImages.get(ref);
  if (known !== undefined) return known ? { ...known } : undefined;
  const img = parseImageUncached(ref);
  if (parsedImages.size >= 1000) parsedImages.clear();
  parsedImages.set(ref, img ?? null);
  return img ? { ...img } : undefined;
}

const parsedImages = new Map<string, ImageRef | null>();

function parseImageUncached(ref: string): ImageRef | undefined {
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

/** A profile's globs compiled once (every pod's pull asks about each of them, twice). */
const globRegexes = new Map<string, RegExp>();

function globMatch(glob: string, s: string): boolean {
  let re = globRegexes.get(glob);
  if (re === undefined) {
    if (globRegexes.size >= 256) globRegexes.clear();
    globRegexes.set(glob, (re = new RegExp('^' + glob.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$')));
  }
  return re.test(s);
}

export type PullOutcome = { ok: true; sizeBytes: number; imageID: string; durationMs: number } | { ok: false; error: string };

/** Whether unknown images (outside the catalog: private registries, other namespaces) pull. */
export type UnknownImagePolicy = 'pull' | 'fail';

/** The manifest digest the simulated registry serves for a reference (stable per reference). */
/** Digests of images without one in their reference, by reference (a sha256 per pod's pull otherwise). */
const digests = new Map<string, string>();

export function imageDigest(img: ImageRef): string {
  const given = img.digest?.split(':')[1];
  if (given !== undefined) return `sha256:${given}`;
  let d = digests.get(img.full);
  if (d === undefined) {
    if (digests.size >= 1024) digests.clear();
    digests.set(img.full, (d = `sha256:${hex64(img.full)}`));
  }
  return d;
}

/** How long a pull takes: the profile's pull time scaled by the image's size (0.6x to 1.8x). */
function pullDurationMs(sizeBytes: number, profile: ClusterProfile, img: ImageRef): number {
  const scale = Math.min(1.8, 0.6 + sizeBytes / 150_000_000);
  return Math.round(profile.timings.imagePullMs * scale + (fnv32a(img.full) % 400));
}

/**
 * Whether the simulated registry serves the image, and the runtime's error text when not:
 * the profile's unreachable/missing globs first (`check --allowed-registries`), then the
 * catalog (a repository that does not exist, a tag that does not), then the policy for
 * images the catalog does not know.
 */
export function pullOutcome(ref: string, profile: ClusterProfile, policy: UnknownImagePolicy = profile.images?.unknown ?? 'pull'): PullOutcome {
  const img = parseImage(ref)!;
  const matches = (globs: string[] | undefined) => (globs ?? []).some((g) => globMatch(g, ref) || globMatch(g, img.full));
  const host = img.domain === 'docker.io' ? 'registry-1.docker.io' : img.domain;
  const prefix = `failed to pull and unpack image "${img.full}": failed to resolve reference "${img.full}"`;
  if (matches(profile.images?.unreachable)) {
    const manifest = `https://${host}/v2/${img.path}/manifests/${img.digest ?? img.tag}`;
    return { ok: false, error: `${prefix}: failed to do request: Head "${manifest}": dial tcp: lookup ${host.split(':')[0]}: no such host` };
  }
  const notFound: PullOutcome = { ok: false, error: `${prefix}: ${img.full}: not found` };
  if (matches(profile.images?.missing)) return notFound;
  const answer = askRegistry(img.domain, img.path, img.digest ? undefined : img.tag);
  const denied: PullOutcome = {
    ok: false,
    error:
      img.domain === 'docker.io'
        ? `${prefix}: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`
        : `${prefix}: pulling from host ${img.domain} failed with status code [manifests ${img.digest ?? img.tag}]: 401 Unauthorized`,
  };
  if (answer.kind === 'denied') return denied;
  if (answer.kind === 'tagNotFound') return notFound;
  if (answer.kind === 'unknown' && policy === 'fail' && !isOfficial(img)) return denied;
  const sizeBytes = answer.kind === 'found' ? answer.entry.sizeBytes + (fnv32a(img.full) % 4_000_000) : 5_000_000 + (fnv32a(img.full) % 70_000_000);
  return { ok: true, sizeBytes, imageID: `${img.domain}/${img.path}@${imageDigest(img)}`, durationMs: pullDurationMs(sizeBytes, profile, img) };
}

function isOfficial(img: ImageRef): boolean {
  return img.domain === 'docker.io' && img.path.startsWith('library/');
}
