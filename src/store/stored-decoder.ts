// What a store does to an object it parses from its stored text (an object file, a journal
// line, an etcd value): kube-apiserver decodes every object it reads into its Go type and
// encodes it again, so what a read answers is that encoding (a Quantity stored `1000m` by an
// older kubesim, or written straight into the store, is read "1"). The API layer installs
// the decoding (src/api/quantity-fields.ts) when it is loaded; a reader without it (the
// start-up fast path, which prints no quantity) parses only. Done once per parse: a store
// remembers what it parsed, so ordinary reads pay nothing.

import type { KObject } from '../api/types';

let decode: ((obj: KObject) => void) | undefined;

/** Installs what every store does to an object it parses (in place). */
export function setStoredObjectDecoder(fn: (obj: KObject) => void): void {
  decode = fn;
}

/** `obj`, just parsed from the store's text, as the API layer reads it (the same object, changed in place). */
export function decodeStored<T extends KObject | undefined>(obj: T): T {
  if (decode && obj) decode(obj);
  return obj;
}
