// The run of record in bench/RESULTS.md: a complete run's table replaces the one between the
// `bench:record` markers, which moves to the `bench:previous` block beside it (the one before
// that is dropped: git keeps history).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function writeRunOfRecord(file, table) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const block = (name, body) => `<!-- bench:${name}:start -->\n${body}\n<!-- bench:${name}:end -->`;
  const find = (name) => {
    const start = `<!-- bench:${name}:start -->`;
    const i = text.indexOf(start);
    const j = text.indexOf(`<!-- bench:${name}:end -->`);
    return i >= 0 && j > i ? { i, j: j + `<!-- bench:${name}:end -->`.length, body: text.slice(i + start.length, j).trim() } : undefined;
  };
  const record = find('record');
  const previous = find('previous');
  const fresh = block('record', table);
  const before = block('previous', record ? record.body : '(none yet)');
  let out;
  if (record && previous) {
    const [first, second] = record.i < previous.i ? [record, previous] : [previous, record];
    const repl = (x) => (x === record ? fresh : before);
    out = text.slice(0, first.i) + repl(first) + text.slice(first.j, second.i) + repl(second) + text.slice(second.j);
  } else {
    out = `${text.trimEnd()}\n\n## Run of record (\`npm run bench\`)\n\n${fresh}\n\n### The run before it\n\n${before}\n`;
  }
  writeFileSync(file, out);
}
