// A stored object that cannot be an object (unreadable JSON, not a regular file, naming
// another object): any backend reports it with this error, and the API server lets `delete`
// remove it (a damaged object must not block its own removal).

import { StoreError } from './store';

export class DamagedObjectError extends StoreError {
  constructor(
    readonly key: string,
    readonly file: string,
    readonly reason: string,
  ) {
    super(`the object file ${file} is damaged (${reason}); delete the object or run "kubesim cluster fsck --repair"`);
  }
}
