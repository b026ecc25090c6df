// The patch given to `patch -p/--patch-file`: read, then turned into JSON the way kubectl's
// yaml.ToJSON does (text starting with `{` is taken as JSON unchanged, anything else is
// YAML), and, for JSON that does not parse, Go's encoding/json error text.

import { readInputSync } from '../../manifest/read-limited';
import { fsErrorText } from '../../util/fs-error-text';
import { parseDocument } from 'yaml';
import { CliError } from '../../api/errors';
import { YAML_OPTIONS, parseManifestText } from '../../manifest';
import { goQuote } from '../../util/go-format';
import { keepExactInts } from '../../manifest/yaml-compat';
import { jsonText } from '../../api/types';

export type PatchType = 'strategic' | 'merge' | 'json';

export function parsePatchType(t: string | undefined): PatchType {
  const v = t ?? 'strategic';
  if (v !== 'strategic' && v !== 'merge' && v !== 'json') throw new CliError(`--type must be one of [json merge strategic], not "${v}"`);
  return v;
}

/** The patch text from -p or --patch-file, with kubectl's errors. */
export function readPatchText(patch: string | undefined, patchFile: string | undefined): string {
  if (patch !== undefined && patchFile !== undefined) throw new CliError('--patch and --patch-file are mutually exclusive');
  if (patchFile !== undefined) {
    try {
      return readInputSync(patchFile).toString('utf8');
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(`unable to read patch file: open ${patchFile}: ${fsErrorText(e)}`);
    }
  }
  if (patch === undefined || patch === '') throw new CliError('must specify --patch or --patch-file containing the contents of the patch');
  return patch;
}

/**
 * k8s.io/apimachinery yaml.ToJSON. Returns the JSON text to send: JSON input unchanged
 * (even if malformed: the patcher reports that), YAML input converted.
 */
export function patchToJsonText(text: string): string {
  if (/^\s*\{/.test(text)) return text;
  const doc = parseDocument(text, YAML_OPTIONS);
  if (doc.errors.length) {
    const parsed = parseManifestText(text, 'patch');
    const msg = parsed.errors[0]?.kubectlMessage ?? '';
    const i = msg.indexOf('yaml: ');
    let yamlMsg = i >= 0 ? msg.slice(i) : `yaml: ${doc.errors[0].message}`;
    // go-yaml prints no line for a scanner error on the first line (its mark is 0 there).
    yamlMsg = yamlMsg.replace(/^yaml: line 1: (mapping values are not allowed in this context|found character that cannot start any token)/, 'yaml: $1');
    throw new CliError(`unable to parse ${goQuote(text)}: ${yamlMsg}`);
  }
  keepExactInts(doc);
  const value = doc.toJS();
  return jsonText(value ?? null);
}

/** The patch's JSON, or encoding/json's error; ints past 2^53 kept exact (bigints), as kubectl decodes int64s (util/exact-json.ts). */
export { parseGoJson } from '../../util/go-format';
