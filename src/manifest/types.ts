// Shapes produced by the manifest loader: one entry per Kubernetes object found in the
// inputs, and one error per input or document that could not be read.
import type { KObject } from '../api/types';
import type { SourcePosition } from '../api/errors';

export type { SourcePosition };

/** A field path inside an object: `['spec', 'template', 'spec', 'containers', 0, 'image']`. */
export type FieldPath = (string | number)[];

export interface ManifestDoc {
  /** The file name as the user gave it (`STDIN` for `-`). */
  source: string;
  /** 0-based index of the YAML document in its source. */
  docIndex: number;
  /** Set when the object came from the `items` of a `List`/`*List` document. */
  listIndex?: number;
  object: KObject;
  /** Line/column of the node at that field path, or of the nearest existing ancestor. */
  positionOf(path: FieldPath): SourcePosition | undefined;
  /** From a preceding `# Source: chart/templates/x.yaml` comment (helm template output). */
  helmSource?: string;
  /**
   * The JSON kubectl's decoders read for this document (a JSON document as written, else
   * YAMLToJSON's output); full parses only, and read before the verb changes the object.
   */
  decoded?: () => string;
}

export type ManifestErrorCode =
  | 'path-not-found'
  | 'read-error'
  | 'binary'
  | 'invalid-utf8'
  | 'yaml-syntax'
  | 'duplicate-key'
  | 'alias-limit'
  | 'too-deep'
  | 'not-an-object'
  | 'kind-not-set'
  | 'apiversion-not-set'
  | 'bad-list';

export interface ManifestError {
  code: ManifestErrorCode;
  source: string;
  docIndex?: number;
  position?: SourcePosition;
  /** Plain description of what is wrong. */
  message: string;
  /** What kubectl prints after `error: ` for the same input. */
  kubectlMessage: string;
  /** What kubectl prints instead with --validate=false (its decoder's error, no validation's). */
  unvalidatedMessage?: string;
  hint?: string;
}

export interface LoadResult {
  docs: ManifestDoc[];
  errors: ManifestError[];
  /** The files that were read, in order (directories expanded). */
  files: string[];
  /** The text of a source, for excerpts in error messages. */
  textOf(source: string): string | undefined;
}

export interface LoadOptions {
  /** Descend into sub-directories (`-R`). */
  recursive?: boolean;
  /** Content of standard input, used for the input `-`. */
  stdin?: string;
  /** Expand `*`, `?`, `**` patterns in inputs (for `kubesim validate`). */
  glob?: boolean;
  /** kubectl's lenient decoding of `--local` files (see parse-documents.ts ParseOptions). */
  lenient?: boolean;
  /** A duplicate key keeps its last value (kubectl's decoding of `-f`: sigs.k8s.io/yaml, not strict). */
  lastKeyWins?: boolean;
}
