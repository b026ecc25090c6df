// The interactive shell behind `exec -it`/`debug -it`, driven in-process as a terminal would
// drive it (raw bytes in, the terminal's output back): prompt, echo and line editing,
// Ctrl-C, Ctrl-D, continuation lines, the image's prompt.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InteractiveShell } from '../../src/shell/interactive';
import type { AsyncShellOptions } from '../../src/shell/run';

function open(o: Partial<AsyncShellOptions> = {}) {
  let out = '';
  const sh = new InteractiveShell({ flavor: 'busybox', env: [['HOME', '/root']], hostname: 'box', ...o }, (text) => (out += text));
  sh.start();
  return { sh, out: () => out };
}

test('a terminal: prompt, echo, backspace, Ctrl-U, arrow keys dropped, state kept between commands', async () => {
  const t = open();
  t.sh.input('X=4\rcd /tmp\r');
  t.sh.input('echo abd\x7fc\x1b[A $X\r');
  t.sh.input('junk\x15pwd\r');
  t.sh.input('exit 7\r');
  assert.equal(await t.sh.done, 7);
  assert.equal(t.out(), '/ # X=4\r\n/ # cd /tmp\r\n/tmp # echo abd\b \bc $X\r\nabc 4\r\n/tmp # junk\b \b\b \b\b \b\b \bpwd\r\n/tmp\r\n/tmp # exit 7\r\n');
});

test('Ctrl-C drops the line (status 130); Ctrl-D on an empty line ends the shell with the last status', async () => {
  const t = open();
  t.sh.input('sleep 1; echo never\x03echo $?\r');
  t.sh.input('false\r');
  t.sh.input('half\x04'); // not at an empty line: nothing happens
  t.sh.input('\x15\x04');
  assert.equal(await t.sh.done, 1);
  assert.equal(t.out(), '/ # sleep 1; echo never^C\r\n/ # echo $?\r\n130\r\n/ # false\r\n/ # half\b \b\b \b\b \b\b \b\r\n');
});

test('an unfinished command continues on PS2 lines; errors and output both reach the terminal', async () => {
  const t = open();
  t.sh.input('for i in 1 2; do\recho "n=$i\r"\rdone\r');
  t.sh.input('nosuch\r');
  t.sh.end();
  assert.equal(await t.sh.done, 127);
  assert.equal(t.out(), '/ # for i in 1 2; do\r\n> echo "n=$i\r\n> "\r\n> done\r\nn=1\r\n\r\nn=2\r\n\r\n/ # nosuch\r\nsh: nosuch: not found\r\n/ # ');
});

test("the image's prompt: dash's `# `, bash's user@host:cwd, `$` for a non-root user", async () => {
  const dash = open({ flavor: 'debian' });
  const bash = open({ flavor: 'debian', name: 'bash' });
  const user = open({ uid: 1000 });
  for (const t of [dash, bash, user]) t.sh.input('cd /root\rexit\r');
  for (const t of [dash, bash, user]) await t.sh.done;
  assert.equal(dash.out(), '# cd /root\r\n# exit\r\n');
  assert.equal(bash.out(), 'root@box:/# cd /root\r\nroot@box:~# exit\r\n');
  assert.equal(user.out(), '/ $ cd /root\r\n~ $ exit\r\n');
});
