// Runs `kubesim validate` the way a user would: a child process of bin/kubesim, the built
// bundle, as the other CLI tests run it (through tsx, src/main.ts took ~0.6 s more CPU a run).
import { readFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import AjvDraft04 from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BIN, ROOT, TEST_CACHE_HOME } from '../e2e/helpers';
import { crdYaml } from '../helpers/crd';

export { ROOT };

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export class Dir {
  readonly path = mkdtempSync(join(tmpdir(), 'kubesim-validate-'));

  file(name: string, content: string): string {
    const p = join(this.path, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
    return p;
  }

  validate(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Run {
    const r = spawnSync(process.execPath, [BIN, 'validate', ...args], {
      input: opts.stdin ?? '',
      cwd: this.path,
      env: { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME, KUBESIM_HOME: join(this.path, '.home'), KUBESIM_NO_DAEMON: '1', NO_COLOR: '1', ...(opts.env ?? {}) },
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export const VALID_DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;

export const BAD_DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: bad
spec:
  replica: 3
  selector:
    matchLabels: {app: bad}
  template:
    metadata:
      labels: {app: bad}
    spec:
      containers:
      - name: Web_1
        image: nginx
`;

export const CRD = crdYaml({ plural: 'widgets', kind: 'Widget', singular: 'widget', schema: `properties:
  spec:
    type: object
    properties:
      size: {type: integer, minimum: 1}
      color: {type: string, enum: [red, blue]}
` });

/**
 * Parses a JUnit report with a real XML parser (fast-xml-parser) and checks the structure
 * Jenkins and GitLab read: <testsuites> of <testsuite> of <testcase name classname>, each
 * failure with message and type, and counts that add up. Returns the parsed tree.
 */
export function checkJUnit(xml: string): any {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} at line ${valid.err.line}`);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'failure', 'error', 'skipped'].includes(name) }).parse(xml);
  const root = doc.testsuites;
  if (!root) throw new Error('no <testsuites> root element');
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const suite of root.testsuite ?? []) {
    if (!suite.name) throw new Error('<testsuite> without a name');
    const cases = suite.testcase ?? [];
    const f = cases.filter((c: any) => c.failure).length;
    const sk = cases.filter((c: any) => c.skipped).length;
    if (Number(suite.tests) !== cases.length) throw new Error(`testsuite ${suite.name}: tests="${suite.tests}" but ${cases.length} testcases`);
    if (Number(suite.failures) !== f) throw new Error(`testsuite ${suite.name}: failures="${suite.failures}" but ${f} failed testcases`);
    for (const c of cases) {
      if (!c.name || !c.classname) throw new Error('a <testcase> needs name and classname');
      for (const fl of c.failure ?? []) if (!fl.message || !fl.type) throw new Error(`testcase ${c.name}: <failure> needs message and type`);
    }
    tests += cases.length;
    failures += f;
    skipped += sk;
  }
  if (Number(root.tests) !== tests || Number(root.failures) !== failures || Number(root.skipped ?? 0) !== skipped) {
    throw new Error(`<testsuites> counts tests=${root.tests} failures=${root.failures} skipped=${root.skipped} do not match ${tests}/${failures}/${skipped}`);
  }
  return doc;
}

let sarifValidator: ValidateFunction | undefined;

/**
 * Validates a SARIF log against the SARIF 2.1.0 JSON Schema (the OASIS schema as published
 * in @microsoft/jest-sarif, draft-04) with ajv, and returns it. Throws listing the errors.
 */
export function checkSarif(text: string): any {
  const log = JSON.parse(text);
  if (!sarifValidator) {
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    // unicodeRegExp off: one of the schema's patterns is not valid with the u flag.
    sarifValidator = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);
  }
  if (!sarifValidator(log)) {
    throw new Error(`SARIF does not match the 2.1.0 schema:\n${(sarifValidator.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('\n')}`);
  }
  return log;
}
