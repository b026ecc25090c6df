// kubectl reads YAML with go-yaml v2 (via sigs.k8s.io/yaml), which keeps YAML 1.1 habits:
// `yes`/`no`/`on`/`off`/`y`/`n` are booleans, `0644` is octal (420), and Go's number forms
// (`1_000`, `0b11`, `-0x1F`) are numbers. Manifests depend on them (`defaultMode: 0644`) and
// kubeconfigs too (`insecure-skip-tls-verify: yes`), so the 1.2 core schema is extended.
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

// go-yaml v2 reads a plain scalar that starts with a digit or a sign as a number when, its
// underscores removed, Go's strconv.ParseInt (base 0: 0b, 0o, 0x and 0 prefixes, a sign
// before any of them) or its YAML float pattern accepts it: `1_000`, `0b11`, `-0x1F`, which
// the core schema reads as strings (tried after its tags, so only these are new).
export const GO_INT = /^[-+]?(?:0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;
export const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const goPlain = (s: string) => s.replace(/_/g, '');
const number11 = {
  identify: () => false,
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'GO',
  // The `yaml` package and the fast reader call test.test(s).
  test: { test: (s: string) => /^[-+0-9]/.test(s) && (GO_INT.test(goPlain(s)) || GO_FLOAT.test(goPlain(s))) },
  resolve: (s: string) => {
    const p = goPlain(s);
    const m = /^([-+]?)0([bBoOxX]?)([0-9a-fA-F]*)$/.exec(p);
    if (!m || !GO_INT.test(p)) return Number(p);
    const base = { b: 2, o: 8, x: 16, '': 8 }[m[2].toLowerCase() as 'b' | 'o' | 'x' | ''];
    const n = m[3] === '' ? 0 : parseInt(m[3], base);
    return m[1] === '-' && n !== 0 ? -n : n;
  },
} as unknown as Tag;

/** Parser options shared by every manifest read. */
export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  prettyErrors: false,
  uniqueKeys: true,
  merge: true,
  customTags: (tags) => [bool11, octal11, ...tags, number11],
};

/** Bound on alias expansion: a "billion laughs" document fails instead of exhausting memory. */
export const MAX_ALIAS_COUNT = 1000;
