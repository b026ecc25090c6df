// Public surface of the manifest reader.
export type { FieldPath, LoadOptions, LoadResult, ManifestDoc, ManifestError, ManifestErrorCode } from './types';
export { loadManifests, noObjectsMessage, MissingPathsError, STDIN_SOURCE } from './load-manifests';
export { parseManifestText, parseManifestBytes, manifestByteErrors, decodeManifestText } from './parse-documents';
export { formatSourceError, excerpt } from './format-error';
export { expandGlob, hasGlob } from './glob';
export { YAML_OPTIONS, MAX_ALIAS_COUNT } from './yaml-compat';
