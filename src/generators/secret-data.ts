// The `data` map of a Secret being built by `create secret generic|docker-registry`:
// key validation and duplicate checks with kubectl's texts, and the --append-hash suffix.

import { CliError } from '../api/errors';
import { goQuote } from '../util/go-format';
import { configMapKeyErrors } from './sources';
import { base64, encodeHash, goJsonMarshal, sortedMap } from './util';

export class SecretData {
  readonly entries: Record<string, Uint8Array> = {};

  /** addKeyFromLiteralToSecret */
  add(key: string, value: Uint8Array): void {
    const errs = configMapKeyErrors(key);
    if (errs.length) throw new CliError(`${goQuote(key)} is not valid key name for a Secret ${errs.join(';')}`);
    if (key in this.entries) throw new CliError(`cannot add key ${key}, another key by that name already exists`);
    this.entries[key] = value;
  }

  /** The base64 `data` map with sorted keys (undefined when empty: omitempty). */
  encoded(): Record<string, string> | undefined {
    if (Object.keys(this.entries).length === 0) return undefined;
    return sortedMap(Object.fromEntries(Object.entries(this.entries).map(([k, v]) => [k, base64(v)])));
  }

  /** hash.SecretHash: sha256 over {"data","kind","name","type"}. */
  hashName(name: string, type: string): string {
    const enc = { data: this.encoded() ?? {}, kind: 'Secret', name, type };
    return `${name}-${encodeHash(goJsonMarshal(enc))}`;
  }
}

export function utf8(s: string): Uint8Array {
  return Buffer.from(s, 'utf8');
}
