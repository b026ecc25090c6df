// The kubesim CLI with `check` registered even when src/cli/commands.ts does not list it
// yet, so the check tests run the verb as users would (a child process, argv, exit code).
import { CommanderError } from 'commander';
import { buildProgram, Program } from '../../src/cli/root';
import { processStreams } from '../../src/cli/context';
import { register } from '../../src/cli/check';

async function main(): Promise<number> {
  const p = new Program('kubesim', processStreams);
  const program = buildProgram(p);
  if (!program.commands.some((c) => c.name() === 'check')) {
    register(program, p);
    const cmd = program.commands.find((c) => c.name() === 'check')!;
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: (s) => p.streams.out(s), writeErr: (s) => p.streams.err(s), outputError: () => {} });
  }
  try {
    await program.parseAsync(process.argv.slice(2), { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') return 0;
      process.stderr.write(`error: ${e.message.replace(/^error: /, '')}\n`);
      return 1;
    }
    throw e;
  }
  return p.exitCode;
}

main().then((code) => {
  process.exitCode = code;
});
