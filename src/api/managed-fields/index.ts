// Field management (metadata.managedFields) and server-side apply.
export { trackUpdate, keepManaged, changedOwnFields, serverSideApply, appliedObjectError, ApplyConflictError, type FieldConflict, type ManagedFieldsEntry, type TrackContext } from './manager';
export { FieldSet, pathString } from './fieldset';
export { withFieldManager, withoutFieldManager, ambientFieldManager, componentOf } from './ambient';
