// Splits ajv's standalone code for every built-in kind (one flat module, 1.4 MB) into chunks
// that a command loads only for the kinds it validates: validating a ConfigMap read, compiled
// and ran all of it (~15 % of a one-manifest `validate`). Each top-level declaration
// (`const schemaN = ...`, `function validateN(...) {...}`) goes to one chunk, by the roots
// (kinds) that reach it: one root only -> that root's chunk; only pod-template kinds -> `pod`;
// anything else -> `common`. So `common` needs nothing from other chunks, `pod` only
// `common`, and a root's chunk only those two: loading them in that order resolves every
// name once, with no copy of a shared function (which would warm up once per copy).
//
// A chunk is `module.exports = (d) => { const {imports} = d; ...declarations...;
// Object.assign(d, {exports}); }`: `d` is one scope object shared by the chunks loaded so far.

/** The kinds whose validators share PodSpec (the bulk of the shared code). */
const POD_TEMPLATE_KINDS = /^v_(?:v1_Pod|v1_PodTemplate|v1_ReplicationController|apps_v1_(?:Deployment|DaemonSet|StatefulSet|ReplicaSet)|batch_v1_(?:Job|CronJob))$/;
// Any identifier: filtered to the declared names (validateN, schemaN, funcN, wrapperN, ...).
const NAME = /[A-Za-z_$][\w$]*/g;

/** Top-level statements of ajv's standalone output (after "use strict"). */
function statements(code) {
  const out = [];
  const n = code.length;
  let i = code.startsWith('"use strict";') ? '"use strict";'.length : 0;
  while (i < n) {
    while (i < n && /\s/.test(code[i])) i++;
    if (i >= n) break;
    const start = i;
    const isFunction = code.startsWith('function ', i);
    let depth = 0;
    let quote = '';
    for (; i < n; i++) {
      const c = code[i];
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = '';
        continue;
      }
      if (c === '"' || c === "'" || c === '`') quote = c;
      else if (c === '/') {
        if (code[i + 1] === '/' || code[i + 1] === '*') throw new Error(`split-validators: a comment in ajv's output (not expected): ${code.slice(i - 80, i + 40)}`);
        // A regular expression literal (ajv escapes JSON pointers with .replace(/~/g, ...)):
        // after an operator or an opening bracket, not after an operand (division).
        let p = i - 1;
        while (p >= 0 && code[p] === ' ') p--;
        if (p >= 0 && '(,=:[!&|?{};'.includes(code[p])) {
          let inClass = false;
          for (i++; i < n && (inClass || code[i] !== '/'); i++) {
            if (code[i] === '\\') i++;
            else if (code[i] === '[') inClass = true;
            else if (code[i] === ']') inClass = false;
          }
        }
      } else if (c === '{' || c === '(' || c === '[') depth++;
      else if (c === '}' || c === ')' || c === ']') {
        depth--;
        if (depth === 0 && c === '}' && isFunction) {
          i++;
          break;
        }
      } else if (c === ';' && depth === 0) {
        i++;
        break;
      }
    }
    if (depth !== 0 || quote) throw new Error(`split-validators: unbalanced statement at ${start}`);
    out.push(code.slice(start, i));
  }
  return out;
}

/**
 * `code`: ajv standaloneCode output for `mapping` (export name -> schema). Returns the
 * chunks' sources by name and, per export name, its function and the chunks to load in order.
 */
export function splitValidators(code) {
  const decls = new Map(); // name -> source
  const rootFn = new Map(); // export name -> function name
  for (const s of statements(code)) {
    const exp = /^exports\.(\w+) = (\w+);$/.exec(s);
    if (exp) {
      rootFn.set(exp[1], exp[2]);
      continue;
    }
    const decl = /^(?:const|function) (\w+)/.exec(s);
    if (!decl) throw new Error(`split-validators: unexpected statement: ${s.slice(0, 80)}`);
    decls.set(decl[1], s);
  }
  const refs = new Map([...decls].map(([name, s]) => [name, [...new Set(s.match(NAME) ?? [])].filter((r) => r !== name && decls.has(r))]));
  const reachedBy = new Map(); // declaration -> roots whose validator uses it
  for (const [root, fn] of rootFn) {
    const stack = [fn];
    const seen = new Set();
    while (stack.length) {
      const d = stack.pop();
      if (seen.has(d)) continue;
      if (!decls.has(d)) throw new Error(`split-validators: ${root} uses ${d}, which is not declared`);
      seen.add(d);
      (reachedBy.get(d) ?? reachedBy.set(d, []).get(d)).push(root);
      stack.push(...refs.get(d));
    }
  }
  const chunkOf = new Map();
  for (const [d, roots] of reachedBy) chunkOf.set(d, roots.length === 1 ? roots[0] : roots.every((r) => POD_TEMPLATE_KINDS.test(r)) ? 'pod' : 'common');
  const rank = (c) => (c === 'common' ? 0 : c === 'pod' ? 1 : 2);
  const members = new Map();
  for (const [d, c] of chunkOf) (members.get(c) ?? members.set(c, []).get(c)).push(d);
  const chunks = {};
  for (const [c, names] of members) {
    const own = new Set(names);
    const imports = [...new Set(names.flatMap((d) => refs.get(d)).filter((r) => !own.has(r)))].sort();
    for (const r of imports) {
      if (rank(chunkOf.get(r)) >= rank(c)) throw new Error(`split-validators: chunk ${c} would import ${r} from ${chunkOf.get(r)}`);
    }
    // Declarations in ajv's order (a const before the functions that read it).
    const body = [...decls.keys()].filter((d) => own.has(d)).map((d) => decls.get(d));
    chunks[c] = `"use strict";module.exports = (d) => {${imports.length ? `const {${imports.join(', ')}} = d;` : ''}\n${body.join('')}\nObject.assign(d, {${names.sort().join(', ')}});\n};\n`;
  }
  const roots = {};
  for (const [root, fn] of rootFn) {
    const needed = [...new Set([...chunkOf].filter(([d]) => reachedBy.get(d).includes(root)).map(([, c]) => c))];
    roots[root] = { fn, chunks: needed.sort((a, b) => rank(a) - rank(b)) };
  }
  return { chunks, roots };
}
