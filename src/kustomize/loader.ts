// kustomize's file loader: a root directory, files read only from in or below it, and the
// texts of its errors (evalsymlink failures, security restrictions, non-directories).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KustomizeError } from './resource';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Go's filepath.EvalSymlinks error: lstat of the first missing component. */
function evalSymlinkError(given: string, abs: string): KustomizeError {
  let missing = abs;
  const parts = abs.split(path.sep);
  for (let i = 2; i <= parts.length; i++) {
    const p = parts.slice(0, i).join(path.sep);
    try {
      fs.lstatSync(p);
    } catch {
      missing = p;
      break;
    }
  }
  return new KustomizeError(`evalsymlink failure on '${given}' : lstat ${missing}: no such file or directory`);
}

/** filesys.ConfirmDir: the real path of a directory, or kustomize's error for it. */
export function confirmDir(given: string): string {
  const abs = path.resolve(given);
  let real: string;
  try {
    real = fs.realpathSync(abs);
  } catch {
    throw new KustomizeError(`not a valid directory: ${evalSymlinkError(given, abs).message}`);
  }
  if (!fs.statSync(real).isDirectory()) throw new KustomizeError(`'${given}': file is not directory`);
  return real;
}

/** Is this a remote resource (a git repository or an http URL) that kustomize would fetch? */
export function isRemote(p: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(p) || /^git@/.test(p) || /^(github\.com|gitlab\.com|bitbucket\.org)[/:]/.test(p);
}

export class Loader {
  constructor(
    readonly root: string,
    readonly parent?: Loader,
    /** --load-restrictor LoadRestrictionsRootOnly (the default): files only in or below the root. */
    readonly rootOnly: boolean = parent ? parent.rootOnly : true,
  ) {}

  /** Reads a file in or below the root (kustomize's RestrictionRootOnly). */
  load(p: string): Buffer {
    if (isRemote(p)) throw new KustomizeError(`remote resource '${p}' can't be read: kubesim builds kustomizations offline (no network)`);
    const abs = path.isAbsolute(p) ? path.normalize(p) : path.join(this.root, p);
    let real: string;
    try {
      real = fs.realpathSync(abs);
    } catch {
      throw evalSymlinkError(abs, abs);
    }
    if (fs.statSync(real).isDirectory()) throw new KustomizeError(`'${abs}' must resolve to a file`);
    const dir = path.dirname(real);
    if (this.rootOnly && dir !== this.root && !dir.startsWith(this.root + path.sep)) throw new KustomizeError(`security; file '${abs}' is not in or below '${this.root}'`);
    return fs.readFileSync(real);
  }

  /** A loader for a sub-directory (a base or component), with kustomize's checks. */
  child(p: string): Loader {
    if (p === '') throw new KustomizeError('new root cannot be empty');
    if (isRemote(p)) throw new KustomizeError(`remote base '${p}' can't be fetched: kubesim builds kustomizations offline (no network)`);
    if (path.isAbsolute(p)) throw new KustomizeError(`new root '${p}' cannot be absolute`);
    let root: string;
    try {
      root = confirmDir(path.join(this.root, p));
    } catch (e) {
      throw new KustomizeError(`must build at directory: ${(e as Error).message}`);
    }
    for (let l: Loader | undefined = this; l; l = l.parent) {
      if (l.root === root || l.root.startsWith(root + path.sep)) {
        throw new KustomizeError(`cycle detected: candidate root '${root}' contains visited root '${l.root}'`);
      }
    }
    return new Loader(root, this);
  }

  /** The kustomization file's text and name, or kustomize's missing/multiple error. */
  kustomizationFile(): { text: string; name: string } {
    const found = KUSTOMIZATION_FILES.filter((f) => {
      try {
        return fs.statSync(path.join(this.root, f)).isFile();
      } catch {
        return false;
      }
    });
    if (found.length === 0) {
      const q = KUSTOMIZATION_FILES.map((f) => `'${f}'`);
      throw new KustomizeError(`unable to find one of ${q.slice(0, -1).join(', ')} or ${q[q.length - 1]} in directory '${this.root}'`);
    }
    if (found.length > 1) throw new KustomizeError(`Found multiple kustomization files under: ${this.root}\n`);
    return { text: fs.readFileSync(path.join(this.root, found[0]), 'utf8'), name: found[0] };
  }
}
