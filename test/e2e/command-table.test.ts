// A run that names a verb loads only the modules src/cli/commands.ts lists for it: the table
// must name exactly the root commands each module declares or extends, and a verb declared
// alone must be the same command tree (sub-commands, flags, aliases) as with every verb.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { COMMANDS, registersFor } from '../../src/cli/commands';
import { Program, buildProgram, verbOf } from '../../src/cli/root';

const streams = { out: () => {}, err: () => {}, stdinText: () => '', isTTY: false };

/** A command tree as text: names, aliases and flags of every command under `cmd`. */
function shape(cmd: Command): string {
  const flags = cmd.options.map((o) => o.flags).join(' ');
  return `${cmd.name()}(${cmd.aliases().join(',')}) [${flags}] {${cmd.commands.map(shape).join(' ')}}`;
}

test('each module in the table declares or extends exactly the root commands listed with it', async () => {
  const program = new Command('kubesim');
  const p = new Program('kubesim', streams);
  for (const [names, load] of COMMANDS) {
    const before = new Map(program.commands.map((c) => [c, shape(c)]));
    (await load()).register(program, p);
    const touched = program.commands.filter((c) => before.get(c) !== shape(c)).map((c) => c.name());
    assert.deepEqual(touched.sort(), [...names].sort(), `table entry ${JSON.stringify(names)}`);
  }
});

test('a verb loaded alone is the same command tree as with every verb loaded', async () => {
  const full = buildProgram(new Program('kubesim', streams), await registersFor(undefined));
  const verbs = full.commands.map((c) => c.name());
  assert.ok(verbs.length > 50, verbs.join(' '));
  for (const verb of verbs) {
    const alone = buildProgram(new Program('kubesim', streams), await registersFor(verb));
    const mine = alone.commands.find((c) => c.name() === verb);
    assert.ok(mine, verb);
    assert.equal(shape(mine), shape(full.commands.find((c) => c.name() === verb)!), verb);
    assert.equal(shape(alone).split('{')[0], shape(full).split('{')[0], `root flags with ${verb}`);
  }
});

test('verbOf: the verb after global flags only; anything else loads every verb', () => {
  assert.equal(verbOf(['get', 'pods']), 'get');
  assert.equal(verbOf(['-n', 'kube-system', 'get', 'pods']), 'get');
  assert.equal(verbOf(['-nkube-system', '--context', 'get', 'describe']), 'describe');
  assert.equal(verbOf(['--namespace=x', '--state-dir', '/tmp/s', '-v', '6', '--kubeconfig', 'k', 'apply']), 'apply');
  assert.equal(verbOf(['-v=6', 'version']), 'version');
  assert.equal(verbOf(['--as', 'bob', '--as-group=g', '--as-uid', '1', 'get', 'pods']), 'get');
  for (const argv of [[], ['--help'], ['-h', 'get'], ['--', 'get'], ['-', 'get'], ['--bogus', 'get'], ['-n']]) assert.equal(verbOf(argv), undefined, argv.join(' '));
});
