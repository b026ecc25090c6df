// `explain --output=plaintext-openapiv2`: kubectl 1.32's first explain printer over /openapi/v2.
// The real kubectl reads the document `kubesim serve` serves; kubesim's own CLI prints from
// the same document and must print what kubectl prints, byte for byte, errors included.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';
import { wrapString } from '../../src/explain/plaintext-v2';
import { crdYaml } from '../helpers/crd';

const c = new ServedCluster('v2x');

// A CRD with what the v2 conversion rewrites: int-or-string (anyOf), nullable, preserve-unknown-fields, a map, arrays.
const CRONTAB_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec:
  group: stable.example.com
  names: {kind: CronTab, plural: crontabs, singular: crontab, shortNames: [ct]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        description: "A CronTab runs a command on a schedule.\\n\\nIt is an example resource:\\n- one\\n- two"
        properties:
          spec:
            type: object
            description: The desired schedule.
            required: [cronSpec, note]
            properties:
              cronSpec: {type: string, description: "The schedule, in cron format."}
              replicas: {type: integer, format: int32, minimum: 1}
              port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
              count: {x-kubernetes-int-or-string: true}
              limit: {x-kubernetes-int-or-string: true, anyOf: [{minimum: 1}], allOf: [{maximum: 9}]}
              tags: {type: array, items: {type: string}}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true, properties: {a: {type: string}}}
              labels: {type: object, additionalProperties: {type: string}}
              note: {type: string, nullable: true}
              containers: {type: array, items: {type: object, properties: {name: {type: string}}}}
          status: {type: object, properties: {ok: {type: boolean}}}
`;

// Embedded resources (x-kubernetes-embedded-resource) in properties, items and
// additionalProperties, one inside another, one keeping unknown fields, one declaring its own
// kind and metadata (which the builder's replace).
const WRAPPER_CRD = crdYaml({ plural: 'wrappers', kind: 'Wrapper', group: 'embed.example.com', schema: `properties:
  spec:
    type: object
    properties:
      template:
        type: object
        x-kubernetes-embedded-resource: true
        description: The object to make.
        required: [spec]
        properties:
          kind: {type: string, description: Its kind.}
          metadata: {type: object, properties: {name: {type: string}}}
          spec: {type: object, properties: {replicas: {type: integer}}}
      loose:
        type: object
        x-kubernetes-embedded-resource: true
        x-kubernetes-preserve-unknown-fields: true
        properties: {note: {type: string}}
      list:
        type: array
        items:
          type: object
          x-kubernetes-embedded-resource: true
          properties: {data: {type: object, additionalProperties: {type: string}}}
      byName:
        type: object
        additionalProperties:
          type: object
          x-kubernetes-embedded-resource: true
          properties:
            inner:
              type: object
              x-kubernetes-embedded-resource: true
              x-kubernetes-preserve-unknown-fields: true
` });

before(async () => {
  await c.setUp({ kubectl: true, manifest: CRONTAB_CRD + '---\n' + WRAPPER_CRD });
});

after(() => c.stop());

/** kubectl and kubesim's CLI: the same stdout, stderr and exit code. */
async function same(args: string[]): Promise<string> {
  const full = ['explain', ...args, '--output=plaintext-openapiv2'];
  const [k, s] = await c.bothClients(full);
  assert.deepEqual({ code: s.code, stdout: s.stdout, stderr: s.stderr }, { code: k.code, stdout: k.stdout, stderr: k.stderr }, full.join(' '));
  return k.stdout;
}

test('built-in kinds and fields print as kubectl 1.32 prints them from /openapi/v2', async () => {
  const pods = await same(['pods']);
  assert.match(pods, /^KIND: {5}Pod\nVERSION: {2}v1\n\nDESCRIPTION:\n {5}Pod is a collection of containers/);
  assert.match(pods, /\nFIELDS:\n {3}apiVersion\t<string>\n/);
  assert.match(await same(['pods.spec.containers']), /\nRESOURCE: containers <\[\]Object>\n\nDESCRIPTION:\n {5}List of containers belonging to the pod\./);
  assert.match(await same(['deployments.spec']), /\n {3}selector\t<Object> -required-\n/);
  // IntOrString is v2's string of format int-or-string; a map of strings; a primitive ends the path wherever it is.
  assert.match(await same(['deployments.spec.strategy.rollingUpdate.maxSurge']), /\nFIELD: {4}maxSurge <string>\n/);
  assert.match(await same(['nodes.status.capacity']), /\nFIELD: {4}capacity <map\[string\]string>\n/);
  assert.match(await same(['pods.spec.hostname.foo']), /\nFIELD: {4}foo <string>\n/);
  const recursive = await same(['deployments.spec', '--recursive']);
  assert.match(recursive, /\n {3}template\t<Object>\n {6}metadata\t<Object>\n/);
  await same(['svc.spec.ports.targetPort']);
  await same(['crd.spec', '--recursive']);
});

test('a custom resource prints from its CRD as the v2 builder publishes it', async () => {
  const root = await same(['crontabs']);
  // The first paragraph's blank line is lost by pkg/explain's wrapping, as kubectl loses it.
  assert.match(root, /^KIND: {5}CronTab\nVERSION: {2}stable\.example\.com\/v1\n\nDESCRIPTION:\n {5}A CronTab runs a command on a schedule\.\n {5}It is an example resource:\n {5}- one\n {5}- two\n/);
  const spec = await same(['crontabs.spec']);
  // extra keeps unknown fields: ToStructuralOpenAPIV2 drops its properties and its type.
  for (const line of ['cronSpec\t<string> -required-', 'extra\t<>', 'labels\t<map[string]string>', 'note\t<>', 'port\t<>', 'tags\t<[]string>', 'containers\t<[]Object>']) {
    assert.ok(spec.includes(`\n   ${line}\n`), `${line} in\n${spec}`);
  }
  assert.ok(!spec.includes('note\t<> -required-'), 'a nullable field is not required in v2');
  await same(['crontabs', '--recursive']);
  await same(['ct.spec.port']);
});

test('a field that does not exist: kubectl\'s error, exit 1', async () => {
  await same(['pods.spec.nope']);
  const r = await c.hosted(['explain', 'pods.spec.nope', '--output=plaintext-openapiv2']);
  assert.deepEqual([r.code, r.stderr], [1, 'error: field "nope" does not exist\n']);
});

test('pkg/explain wrapString: colons, bullets, code lines and the lost first blank line', () => {
  assert.deepEqual(wrapString('one two three four', 9), ['one two', 'three', 'four']);
  assert.deepEqual(wrapString('Values:\na b\n- x\n    code  kept\n\nend', 80), ['Values:', 'a b', '- x', '    code  kept', '', 'end']);
  assert.deepEqual(wrapString('first\n\nsecond', 80), ['first', 'second']);
  assert.deepEqual(wrapString('a\nb\n\nc', 80), ['a b', 'c'], 'the first paragraph is not out before the blank line');
  assert.deepEqual(wrapString('a. b\n\nc\n\nd', 80), ['a. b', 'c', '', 'd']);
});

const KIND = 'kind is a string value representing the type of this object. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const API_VERSION = 'apiVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const META = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

test('embedded resources get apiVersion, kind and metadata at every depth, as the builder adds them (v3; v2 not where unknown fields are kept)', async () => {
  const raw = (path: string) => {
    const r = c.kubectl(['get', '--raw', path]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  // addEmbeddedProperties' three properties (a CRD's own kind and metadata replaced), then kind and apiVersion required.
  const typeMeta = (metadata: object) => ({ apiVersion: { type: 'string', description: API_VERSION }, kind: { type: 'string', description: KIND }, metadata: { ...metadata, description: META } });
  for (const v2 of [false, true]) {
    const meta = v2 ? { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' } : { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }] };
    const doc = v2 ? raw('/openapi/v2').definitions : raw('/openapi/v3/apis/embed.example.com/v1').components.schemas;
    const spec = doc['com.example.embed.v1.Wrapper'].properties.spec.properties;
    const label = v2 ? 'v2' : 'v3';
    assert.deepEqual(spec.template, {
      type: 'object', description: 'The object to make.', 'x-kubernetes-embedded-resource': true, required: ['spec', 'kind', 'apiVersion'],
      properties: { ...typeMeta(meta), spec: { type: 'object', properties: { replicas: { type: 'integer' } } } },
    }, label);
    assert.deepEqual(spec.list.items, { type: 'object', 'x-kubernetes-embedded-resource': true, required: ['kind', 'apiVersion'], properties: { ...typeMeta(meta), data: { type: 'object', additionalProperties: { type: 'string' } } } }, label);
    const inner = { 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true };
    if (v2) {
      // Unknown fields kept: no properties, no type, and nothing added.
      assert.deepEqual(spec.loose, inner);
      assert.deepEqual(spec.byName.additionalProperties, { type: 'object', 'x-kubernetes-embedded-resource': true, required: ['kind', 'apiVersion'], properties: { ...typeMeta(meta), inner } });
    } else {
      assert.deepEqual(spec.loose, { ...inner, type: 'object', required: ['kind', 'apiVersion'], properties: { ...typeMeta(meta), note: { type: 'string' } } });
      const v3Inner = { ...inner, type: 'object', required: ['kind', 'apiVersion'], properties: typeMeta(meta) };
      assert.deepEqual(spec.byName.additionalProperties, { type: 'object', 'x-kubernetes-embedded-resource': true, required: ['kind', 'apiVersion'], properties: { ...typeMeta(meta), inner: v3Inner } });
    }
  }

  // The real kubectl over these documents, and kubesim's CLI printing the same.
  const explain = async (args: string[]) => {
    const [k, s] = await c.bothClients(['explain', ...args]);
    assert.deepEqual({ code: s.code, stdout: s.stdout, stderr: s.stderr }, { code: k.code, stdout: k.stdout, stderr: k.stderr }, args.join(' '));
    assert.equal(k.code, 0, k.stderr);
    return k.stdout;
  };
  assert.equal(await explain(['wrappers.spec.template']), `GROUP:      embed.example.com
KIND:       Wrapper
VERSION:    v1

FIELD: template <Object>


DESCRIPTION:
    The object to make.
    
FIELDS:
  apiVersion\t<string> -required-
    apiVersion defines the versioned schema of this representation of an object.
    More info:
    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources

  kind\t<string> -required-
    kind is a string value representing the type of this object. In CamelCase.
    More info:
    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds

  metadata\t<ObjectMeta>
    Standard object's metadata. More info:
    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata

  spec\t<Object> -required-
    <no description>


`);
  assert.equal(await explain(['wrappers.spec.template', '--output=plaintext-openapiv2']), `KIND:     Wrapper
VERSION:  embed.example.com/v1

RESOURCE: template <Object>

DESCRIPTION:
     The object to make.

FIELDS:
   apiVersion\t<string> -required-
     apiVersion defines the versioned schema of this representation of an
     object. More info:
     https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources

   kind\t<string> -required-
     kind is a string value representing the type of this object. In CamelCase.
     More info:
     https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds

   metadata\t<Object>
     Standard object's metadata. More info:
     https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata

   spec\t<Object> -required-

`);
  const v3 = await explain(['wrappers.spec', '--recursive']);
  // items, additionalProperties and an embedded resource inside another, unknown fields kept or not
  for (const lines of ['  list\t<[]Object>\n    apiVersion\t<string> -required-\n    data\t<map[string]string>\n    kind\t<string> -required-\n    metadata\t<ObjectMeta>\n      annotations\t<map[string]string>\n',
    '  byName\t<map[string]Object>\n    apiVersion\t<string> -required-\n    inner\t<Object>\n      apiVersion\t<string> -required-\n      kind\t<string> -required-\n      metadata\t<ObjectMeta>\n',
    '  loose\t<Object>\n    apiVersion\t<string> -required-\n    kind\t<string> -required-\n    metadata\t<ObjectMeta>\n']) {
    assert.ok(v3.includes(lines), `${lines} in\n${v3}`);
  }
  const v2 = await explain(['wrappers.spec', '--recursive', '--output=plaintext-openapiv2']);
  for (const lines of ['   byName\t<map[string]Object>\n      apiVersion\t<string>\n      inner\t<>\n      kind\t<string>\n      metadata\t<Object>\n', '   list\t<[]Object>\n      apiVersion\t<string>\n      data\t<map[string]string>\n      kind\t<string>\n      metadata\t<Object>\n', '   loose\t<>\n   template\t<Object>\n']) {
    assert.ok(v2.includes(lines), `${lines} in\n${v2}`);
  }
  await explain(['wrappers.spec.byName']);
  await explain(['wrappers.spec.loose', '--output=plaintext-openapiv2']);
});

test('/openapi/v3: an int-or-string field says so with anyOf, as Structural.Unfold writes it', async () => {
  const r = c.kubectl(['get', '--raw', '/openapi/v3/apis/stable.example.com/v1']);
  assert.equal(r.code, 0, r.stderr);
  const spec = JSON.parse(r.stdout).components.schemas['com.example.stable.v1.CronTab'].properties.spec.properties;
  const intOrString = [{ type: 'integer' }, { type: 'string' }];
  assert.deepEqual(spec.port, { 'x-kubernetes-int-or-string': true, anyOf: intOrString }, 'the pattern already: as it is');
  assert.deepEqual(spec.count, { 'x-kubernetes-int-or-string': true, anyOf: intOrString });
  assert.deepEqual(spec.limit, { 'x-kubernetes-int-or-string': true, anyOf: [{ minimum: 1 }], allOf: [{ anyOf: intOrString }, { maximum: 9 }] });
  await same(['crontabs.spec.count']);
});

/** The keys of `o` as the served text has them (JSON.parse keeps their order: none is an integer). */
const keys = (o: object) => Object.keys(o);
/** Whether `got` keeps the order `order` gives (kube-openapi's Go field order), extensions after every field, sorted. */
function inGoOrder(got: string[], order: string[]): void {
  const fields = got.filter((k) => !k.startsWith('x-'));
  const ext = got.filter((k) => k.startsWith('x-'));
  assert.deepEqual(got, [...order.filter((k) => fields.includes(k)), ...ext.sort()], `${got}`);
  assert.deepEqual(fields.filter((k) => !order.includes(k)), []);
}

test('/openapi/v3: keys in kube-openapi\'s struct order (spec3 PathItem, Operation, Parameter; spec.Schema), maps sorted', () => {
  const SCHEMA = ['id', 'description', 'type', 'nullable', 'format', 'title', 'default', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'enum', 'maxProperties', 'minProperties', 'required', 'items', 'allOf', 'oneOf', 'anyOf', 'not', 'properties', 'additionalProperties', 'patternProperties', 'dependencies', 'additionalItems', 'definitions', 'discriminator', 'readOnly', 'externalDocs', 'example', '$schema', '$ref'];
  const PATH = ['$ref', 'summary', 'description', 'get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', 'servers', 'parameters'];
  const OPERATION = ['tags', 'summary', 'description', 'externalDocs', 'operationId', 'parameters', 'requestBody', 'responses', 'deprecated', 'security', 'servers'];
  const PARAMETER = ['$ref', 'name', 'in', 'description', 'required', 'deprecated', 'allowEmptyValue', 'style', 'explode', 'allowReserved', 'schema', 'content', 'example', 'examples'];
  for (const gv of ['apis/apps/v1', 'apis/stable.example.com/v1']) {
    const r = c.kubectl(['get', '--raw', `/openapi/v3/${gv}`]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(keys(doc), ['openapi', 'info', 'paths', 'components']);
    assert.deepEqual(keys(doc.info), ['title', 'version']);
    assert.deepEqual(keys(doc.paths), keys(doc.paths).sort());
    for (const item of Object.values(doc.paths) as any[]) {
      inGoOrder(keys(item), PATH);
      for (const m of ['get', 'put', 'post', 'delete', 'patch']) {
        if (!item[m]) continue;
        inGoOrder(keys(item[m]), OPERATION);
        for (const p of item[m].parameters ?? []) inGoOrder(keys(p), PARAMETER);
      }
    }
    const schemas = doc.components.schemas;
    assert.deepEqual(keys(schemas), keys(schemas).sort());
    const walk = (s: any) => {
      if (!s || typeof s !== 'object') return;
      inGoOrder(keys(s), SCHEMA);
      if (s.properties) {
        assert.deepEqual(keys(s.properties), keys(s.properties).sort());
        Object.values(s.properties).forEach(walk);
      }
      for (const k of ['items', 'additionalProperties', 'not']) walk(s[k]);
      for (const k of ['allOf', 'oneOf', 'anyOf']) (s[k] ?? []).forEach(walk);
    };
    Object.values(schemas).forEach(walk);
  }
  // One path item in full: delete before patch, the operation's parameters before its extensions.
  const apps = JSON.parse(c.kubectl(['get', '--raw', '/openapi/v3/apis/apps/v1']).stdout);
  const item = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
  assert.deepEqual(keys(item), ['get', 'put', 'delete', 'patch']);
  assert.deepEqual(keys(item.patch), ['parameters', 'x-kubernetes-action', 'x-kubernetes-group-version-kind']);
  assert.deepEqual(keys(apps.components.schemas['io.k8s.api.apps.v1.Deployment']), ['description', 'type', 'properties', 'x-kubernetes-group-version-kind']);
});
