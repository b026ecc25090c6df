// The engine of `kubesim validate`: reads every input concurrently, registers the CRDs it
// finds (and those given with --crd), validates each object offline with the same schema
// and semantic checks as `apply`, and returns a Report. No cluster state is touched.

import { readInputSync, readRegularFileWith } from '../manifest/read-limited';
import { fsErrorText } from '../util/fs-error-text';
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { extname, join } from 'node:path';
import { CliError, type FieldError } from '../api/errors';
import { crdResourceType } from '../api/crd';
import { ResourceRegistry, splitApiVersion, type ResourceType } from '../api/resources';
import type { KObject } from '../api/types';
import {
  loadSchemas, validateSchema, validateSemantics, compileCrdSchema, hasBuiltinSchema, formatPath,
  SCHEMA_KUBERNETES_VERSION, type SchemaIssue,
} from '../api/validation';
import { decodeManifestText, excerpt, expandGlob, hasGlob, manifestByteErrors, parseManifestText, STDIN_SOURCE, type ManifestDoc, type ManifestError, type FieldPath } from '../manifest';
import type { Finding, Report, ResourceResult, RuleId } from './report';

export interface ValidateOptions {
  /** CRD files or directories (--crd). */
  crds?: string[];
  ignoreMissingSchemas?: boolean;
  /** Unknown fields are errors (default); false reports them as warnings. */
  strict?: boolean;
  stdin?: string;
}

/** An input that cannot be read: exit code 2, never a skip. */
export class InputError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

interface Source {
  file: string;
  text?: string;
  /** The text's parse is deferred (docs and errors are then empty). */
  deferred?: boolean;
  docs: ManifestDoc[];
  errors: ManifestError[];
}

/** Expands inputs (files, directories recursively, globs, `-`) to the files to read, in order. */
export async function expandInputs(inputs: string[]): Promise<string[]> {
  return collectInputs(inputs, undefined);
}

/** expandInputs, noting in `regular` (by index) which files were regular files when listed. */
function collectInputs(inputs: string[], regular: boolean[] | undefined): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    if (input === '-') {
      out.push('-');
      regular?.push(false);
      continue;
    }
    const paths = hasGlob(input) ? expandGlob(input) : [input];
    if (paths.length === 0) throw new InputError(`the path "${input}" does not exist (no file matches the pattern)`);
    for (const p of paths) {
      let st;
      try {
        st = statSync(p);
      } catch {
        throw new InputError(`the path "${p}" does not exist`);
      }
      if (st.isDirectory()) listDir(p, out, regular);
      else {
        out.push(p);
        regular?.push(st.isFile());
      }
    }
  }
  return out;
}

// Synchronous: a tree of many small directories took a thread-pool round trip per
// directory and per symlink with the promise API (~0.5 s for the shared corpus).
function listDir(dir: string, out: string[], regular: boolean[] | undefined): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (e) {
    throw new InputError(`cannot read directory ${dir}: ${fsErrorText(e)}`);
  }
  // join(dir, name) for every entry, with dir normalised once: an entry's name has no
  // separator and is never . or .., so join leaves it as it is (path.join per entry was
  // ~2 % of validating a tree of 10,000 small manifests).
  const prefix = join(dir, 'x').slice(0, -1);
  for (const entry of entries) {
    const p = prefix + entry.name;
    // The entry's type comes with the listing; only symlinks need a stat to follow them.
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const st = statSync(p);
        isDir = st.isDirectory();
        isFile = st.isFile();
      } catch {
        continue; // dangling symlink
      }
    }
    if (isDir) listDir(p, out, regular);
    else if (MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
      out.push(p);
      regular?.push(isFile);
    }
  }
}

/**
 * Reads the files in input order and parses those that may hold a CRD; the rest are parsed
 * when their turn to be validated comes (`parsed`), so that their objects die young instead
 * of all surviving until the last file is read.
 */
function readSources(files: string[], regular: boolean[], stdin: string | undefined, parseAll: boolean): Source[] {
  // The bytes are checked and decoded as they are read; a file that cannot hold a CRD is
  // kept as its text until its turn. The text, not the bytes: a regular file's bytes are
  // lent by the reader (readRegularFileWith), not copied.
  const fromBytes = (f: string, bytes: Buffer): Source => {
    const bad = manifestByteErrors(bytes, f);
    if (bad) return { file: f, docs: bad.docs, errors: bad.errors };
    const text = decodeManifestText(bytes);
    return parseAll || mayHoldCrd(text) ? sourceOf(f, text) : { file: f, text, deferred: true, docs: [], errors: [] };
  };
  const readOne = (f: string, i: number): Source => {
    if (f === '-') return fromBytes(STDIN_SOURCE, Buffer.from(stdin ?? '', 'utf8'));
    try {
      // Manifests are small: a synchronous read is one system call sequence, where the
      // promise API makes four thread-pool round trips (open, fstat, read, close) per file.
      return regular[i] ? readRegularFileWith(f, (bytes) => fromBytes(f, bytes)) : fromBytes(f, readInputSync(f));
    } catch (e) {
      if (e instanceof CliError) throw new InputError(e.message);
      throw new InputError(`cannot read ${f}: ${fsErrorText(e)}`);
    }
  };
  return files.map(readOne);
}

/** A file's source, parsed (its fields copied, not spread: ~2 % of a tree of small files). */
function sourceOf(file: string, text: string): Source {
  const p = parseManifestText(text, file);
  return { file, text, docs: p.docs, errors: p.errors };
}

/**
 * Whether a file may hold a CustomResourceDefinition: its kind is the literal text, unless
 * spelt with an escape (JSON's \u0052, YAML's double-quoted escapes), which needs a backslash.
 */
function mayHoldCrd(text: string): boolean {
  return text.includes('CustomResourceDefinition') || text.includes('\\');
}

/** A source whose parse was deferred (readSources), parsed now. */
function parsed(s: Source): Source {
  return s.deferred ? sourceOf(s.file, s.text!) : s;
}

const isCrd = (o: KObject) => o.kind === 'CustomResourceDefinition' && String(o.apiVersion ?? '').startsWith('apiextensions.k8s.io/');

export async function runValidate(inputs: string[], opts: ValidateOptions = {}): Promise<Report> {
  const regular: boolean[] = [];
  const files = collectInputs(inputs, regular);
  const crdRegular: boolean[] = [];
  const crdFiles = opts.crds?.length ? collectInputs(opts.crds, crdRegular) : [];
  const sources = readSources(files, regular, opts.stdin, false);
  const crdSources = readSources(crdFiles, crdRegular, opts.stdin, true);
  await loadSchemas();

  // CRDs first, from --crd files and from the inputs themselves.
  const registry = new ResourceRegistry();
  const crds = new Map<string, KObject>();
  const crdErrors: ResourceResult[] = [];
  for (const s of crdSources) {
    for (const e of s.errors) crdErrors.push(errorResult(s, e));
  }
  for (const s of [...crdSources, ...sources]) {
    for (const d of s.docs) {
      if (!isCrd(d.object)) continue;
      const rt = crdResourceType(d.object);
      if (!rt) continue;
      registry.register(rt);
      crds.set(d.object.metadata?.name ?? rt.crd ?? '', d.object);
    }
  }

  const results: ResourceResult[] = [...crdErrors];
  const seen = new Map<string, ResourceResult>();
  for (let i = 0; i < sources.length; i++) {
    const s = parsed(sources[i]);
    // Done with: what is left of it is in the results.
    sources[i] = { file: s.file, docs: [], errors: [] };
    // Documents and errors in document order, so the report reads like the file.
    const entries: { at: number; r: ResourceResult }[] = [];
    for (const e of s.errors) entries.push({ at: e.docIndex ?? -1, r: errorResult(s, e) });
    for (const d of s.docs) {
      const rt = registry.lookupKind(d.object.apiVersion, d.object.kind);
      const r = validateDoc(s, d, rt, crds, opts);
      if (r.kind && r.name && r.status !== 'error') {
        const group = rt ? rt.group : splitApiVersion(String(d.object.apiVersion ?? '')).group;
        const key = `${group}|${r.kind}|${r.namespace ?? ''}|${r.name}`;
        const first = seen.get(key);
        if (first) {
          const where = `${first.file}${first.line ? `:${first.line}` : ''}`;
          r.findings.push({
            ruleId: 'resource/duplicate', severity: 'error', file: r.file, line: r.line, col: r.col, helmSource: r.helmSource,
            message: `duplicate object: ${r.kind}${group ? '.' + group : ''} "${r.name}"${r.namespace ? ` in namespace "${r.namespace}"` : ''} is also defined at ${where}`,
            hint: 'the later definition would overwrite the earlier one when applied; remove or rename one of them',
            excerpt: s.text !== undefined && r.line ? excerpt(s.text, r.line, r.col ?? 1) : undefined,
          });
          if (r.status === 'valid' || r.status === 'skipped') r.status = 'invalid';
        } else seen.set(key, r);
      }
      entries.push({ at: d.docIndex, r });
    }
    if (entries.length === 1) results.push(entries[0].r);
    else {
      entries.sort((a, b) => a.at - b.at);
      for (const e of entries) results.push(e.r);
    }
  }
  return { results, files: files.map((f) => (f === '-' ? STDIN_SOURCE : f)), kubernetesVersion: SCHEMA_KUBERNETES_VERSION };
}

function errorResult(s: Source, e: ManifestError): ResourceResult {
  const rule: RuleId = e.code === 'duplicate-key' ? 'yaml/duplicate-key'
    : e.code === 'yaml-syntax' || e.code === 'binary' || e.code === 'invalid-utf8' || e.code === 'alias-limit' || e.code === 'too-deep' ? 'yaml/syntax'
    : e.code === 'read-error' ? 'io/read-error'
    : 'yaml/invalid-document';
  const pos = e.position;
  return {
    file: s.file, docIndex: e.docIndex, line: pos?.line, col: pos?.col, status: 'error',
    findings: [{
      ruleId: rule, severity: 'error', message: e.message, file: s.file, line: pos?.line, col: pos?.col, hint: e.hint,
      excerpt: s.text !== undefined && pos ? excerpt(s.text, pos.line, pos.col) : undefined,
    }],
  };
}

function validateDoc(s: Source, d: ManifestDoc, rt: ResourceType | undefined, crds: Map<string, KObject>, opts: ValidateOptions): ResourceResult {
  const obj = d.object;
  const pos = d.positionOf([]);
  const r: ResourceResult = {
    file: s.file, docIndex: d.docIndex, listIndex: d.listIndex, apiVersion: obj.apiVersion, kind: obj.kind,
    name: obj.metadata?.name ?? obj.metadata?.generateName, namespace: obj.metadata?.namespace,
    line: pos?.line, col: pos?.col, helmSource: d.helmSource, status: 'valid', findings: [],
  };
  const find = (ruleId: RuleId, message: string, path: FieldPath | undefined, extra: Partial<Finding> = {}): Finding => {
    const p = path ? d.positionOf(path) ?? pos : pos;
    return {
      ruleId, severity: 'error', message, file: s.file, line: p?.line, col: p?.col, helmSource: d.helmSource,
      excerpt: s.text !== undefined && p ? excerpt(s.text, p.line, p.col) : undefined, ...extra,
    };
  };

  if (!rt) {
    return missingSchema(r, find, `no schema for kind "${obj.kind}" in version "${obj.apiVersion}"`, 'resource/unknown-kind',
      'pass the CustomResourceDefinition with --crd, or use --ignore-missing-schemas to skip kinds kubesim does not know', opts);
  }

  let issues: SchemaIssue[];
  if (rt.crd) {
    const crd = crds.get(rt.crd);
    const validate = crd ? compileCrdSchema(crd, splitApiVersion(obj.apiVersion).version) : undefined;
    if (!validate?.schema) {
      return missingSchema(r, find, `the CustomResourceDefinition ${rt.crd} has no openAPIV3Schema for version "${splitApiVersion(obj.apiVersion).version}"`, 'resource/missing-schema',
        'add a schema to the CRD version, or use --ignore-missing-schemas', opts);
    }
    issues = validate(obj);
  } else {
    if (!hasBuiltinSchema(obj, rt)) {
      return missingSchema(r, find, `no schema for ${obj.kind} in version "${obj.apiVersion}"`, 'resource/missing-schema', undefined, opts);
    }
    issues = validateSchema(obj, rt);
  }
  const requiredAt = issues.length ? new Set<string>() : undefined;
  for (const i of issues) {
    if (i.rule === 'schema/required') requiredAt!.add(formatPath(i.path));
    const warn = i.rule === 'schema/unknown-field' && opts.strict === false;
    r.findings.push(find(i.rule, i.message, i.path, { field: formatPath(i.path) || undefined, hint: i.hint, severity: warn ? 'warning' : 'error' }));
  }
  for (const fe of validateSemantics(obj, rt)) {
    const path = parseFieldPath(fe.field);
    // The schema already reported this missing field.
    if (fe.type === 'Required value' && requiredAt?.has(formatPath(path.slice(0, -1)))) continue;
    r.findings.push(find(semanticRule(fe), fieldErrorText(fe), path, { field: fe.field, hint: fe.hint }));
  }
  if (r.findings.some((f) => f.severity === 'error')) r.status = 'invalid';
  return r;
}

function missingSchema(
  r: ResourceResult, find: (rule: RuleId, msg: string, p: FieldPath | undefined, x?: Partial<Finding>) => Finding,
  message: string, rule: RuleId, hint: string | undefined, opts: ValidateOptions,
): ResourceResult {
  if (opts.ignoreMissingSchemas) {
    r.status = 'skipped';
    r.reason = message;
    return r;
  }
  r.status = 'error';
  r.findings.push(find(rule, message, ['kind'], { hint: hint ?? 'use --ignore-missing-schemas to skip kinds without a schema' }));
  return r;
}

/** `semantic/invalid-value`, `semantic/required-value`, ... from the field error's type. */
export function semanticRule(fe: FieldError): RuleId {
  return `semantic/${fe.type.toLowerCase().replace(/\s+/g, '-')}`;
}

function fieldErrorText(fe: FieldError): string {
  let s = `${fe.field}: ${fe.type}`;
  if (fe.value !== undefined) s += `: ${fe.value}`;
  if (fe.detail) s += `: ${fe.detail}`;
  return s;
}

/** `spec.containers[0].ports[1].name` / `metadata.labels[app.kubernetes.io/name]` → path segments. */
export function parseFieldPath(field: string): FieldPath {
  const out: FieldPath = [];
  const re = /([^.[\]]+)|\[([^\]]*)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(field))) {
    if (m[1] !== undefined) out.push(m[1]);
    else out.push(/^\d+$/.test(m[2]) ? Number(m[2]) : m[2]);
  }
  return out;
}
