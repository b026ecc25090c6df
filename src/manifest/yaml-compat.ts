// kubectl reads YAML with go-yaml v2 (via sigs.k8s.io/yaml), which keeps two YAML 1.1
// habits: `yes`/`no`/`on`/`off`/`y`/`n` are booleans and `0644` is octal (420). Manifests
// depend on both (`defaultMode: 0644`), so the 1.2 core schema is extended with them.
import { Scalar, type ParseOptions, type DocumentOptions, type SchemaOptions } from 'yaml';

type Tag = NonNullable<Exclude<SchemaOptions['customTags'], ((...a: any[]) => any) | null>>[number];

const bool11 = {
  identify: (v: unknown) => typeof v === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/,
  resolve: (s: string) => new Scalar(/^(?:y|Y|yes|Yes|YES|on|On|ON)$/.test(s)),
} as unknown as Tag;

const octal11 = {
  identify: (v: unknown) => typeof v === 'number' && Number.isInteger(v),
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  test: /^[-+]?0[0-7]+$/,
  resolve: (s: string) => parseInt(s, 8),
} as unknown as Tag;

/** Parser options shared by every manifest read. */
export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  prettyErrors: false,
  uniqueKeys: true,
  merge: true,
  customTags: (tags) => [bool11, octal11, ...tags],
};

/** Bound on alias expansion: a "billion laughs" document fails instead of exhausting memory. */
export const MAX_ALIAS_COUNT = 1000;
