// Random mutations of manifest text, for fuzzing the readers.
import { pick } from './corpus-util';

const SNIPPETS = [
  '\t', ':', ': ', '- ', '---\n', '...\n', '&a ', '*a', '!!binary ', '!foo ', '<<: ', '? ', '|', '>', '|-\n', '"', "'", '[', ']', '{', '}', ',',
  '#', ' #', '%YAML 1.2\n', '\\', '\\u', '\\x', '\u00e9', '\u{1F600}', '\u202e', '\u0000', '\u0085', '\u2028', '\ufeff', '\r\n', '\r', '__proto__: 1\n',
  'constructor: x\n', '0x1F', '0644', '1e400', '-.inf', '.nan', '~', 'null', 'yes', 'on', '9'.repeat(400), '"' + 'a'.repeat(5000) + '"',
];

export function mutate(text: string, r: () => number): string {
  let t = text;
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * (t.length + 1));
    const op = Math.floor(r() * 9);
    if (op === 0) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 8)); // delete
    else if (op === 1) t = t.slice(0, at) + pick(r, SNIPPETS) + t.slice(at); // insert a token
    else if (op === 2) {
      // re-indent a line
      const ls = t.split('\n');
      const i = Math.floor(r() * ls.length);
      ls[i] = ' '.repeat(Math.floor(r() * 6)) + ls[i].trimStart();
      t = ls.join('\n');
    } else if (op === 3) {
      // duplicate a line (duplicate keys, misplaced items)
      const ls = t.split('\n');
      const i = Math.floor(r() * ls.length);
      ls.splice(i, 0, ls[i]);
      t = ls.join('\n');
    } else if (op === 4) t = t.slice(0, at); // truncate
    else if (op === 5) t = t.slice(0, at) + String.fromCharCode(Math.floor(r() * 0x3000)) + t.slice(at); // any char
    else if (op === 6) {
      // swap two lines
      const ls = t.split('\n');
      const i = Math.floor(r() * ls.length);
      const j = Math.floor(r() * ls.length);
      [ls[i], ls[j]] = [ls[j], ls[i]];
      t = ls.join('\n');
    } else if (op === 7) t = t.slice(0, at) + '\n' + t.slice(at); // break a line
    else t = t.slice(0, at) + pick(r, ['', ' ', '  ', '-', ':']) + t.slice(at);
  }
  return t;
}

/** Documents every YAML reader must refuse or survive without hanging or a stack trace. */
export function hostileDocuments(): { name: string; text: string }[] {
  const deep = (n: number) => 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: ' + '['.repeat(n) + ']'.repeat(n) + '\n';
  const deepBlock = (n: number) => {
    let s = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deepblock\nx:\n';
    for (let i = 1; i < n; i++) s += ' '.repeat(i) + 'a:\n';
    return s + ' '.repeat(n) + 'b: 1\n';
  };
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill('*' + String.fromCharCode(96 + i)).join(',')}]`);
  return [
    { name: 'deep-flow', text: deep(20_000) },
    { name: 'deep-block', text: deepBlock(3000) },
    { name: 'alias-bomb', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\n' + laughs.join('\n') + '\n' },
    { name: 'huge-string', text: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  k: "${'x'.repeat(2_000_000)}"\n` },
    { name: 'huge-number', text: `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: n}\nspec:\n  replicas: ${'9'.repeat(5000)}\n` },
    { name: 'huge-key-count', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keys}\ndata:\n' + Array.from({ length: 50_000 }, (_, i) => `  k${i}: v`).join('\n') + '\n' },
    { name: 'odd-unicode', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "caf\u00e9\u202e\u{1F600}"\ndata:\n  "\u0085": "\u2028"\n' },
    { name: 'nul', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\u0000b\n' },
    { name: 'proto', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: proto\n__proto__:\n  polluted: true\nconstructor:\n  prototype:\n    polluted: true\n' },
    { name: 'merge-key-loop', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: m\n  <<: *m\n' },
    { name: 'tags', text: 'apiVersion: !!binary aGVsbG8=\nkind: !!js/function "function(){}"\nmetadata: {name: t}\n' },
    { name: 'many-docs', text: '---\n'.repeat(20_000) },
  ];
}
