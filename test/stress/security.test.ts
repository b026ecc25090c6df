// Names, namespaces and paths cannot escape the state directory; permissions are private;
// hostile output templates are data, never code. The long loops run their commands in a CLI
// host (the CLI's own run, one process): what is tested is each command, not the start-up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, lstatSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { sharedFile } from '../../src/kubelet/logs';
import { join } from 'node:path';
import { CliHost } from '../helpers/cli-host';
import { configMap, envFor, hasStackTrace, removeHome, run, stateDir, tempHome } from './cli';
import { ROOT } from './corpus-util';

function walk(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    out.push(p);
    if (lstatSync(p).isDirectory()) walk(p, out);
  }
  return out;
}

test('object names and namespaces that look like paths are rejected and write nothing outside', async () => {
  const outer = tempHome('kubesim-escape-');
  const home = join(outer, 'home');
  const host = new CliHost({ cwd: ROOT, env: envFor(home) });
  try {
    assert.equal((await host.run(['apply', '-f', '-'], { stdin: configMap('ok', { a: '1' }) })).code, 0);
    const hostile = ['..', '../../evil', '../evil', '/tmp/evil-abs', 'a/../../b', '%2F..%2Fevil', '..%2f..%2fevil', 'a\\..\\b', '.', 'x\u0000y'];
    for (const name of hostile) {
      for (const doc of [configMap(name, { a: '1' }), configMap('fine', { a: '1' }, name)]) {
        const r = await host.run(['apply', '-f', '-'], { stdin: doc });
        assert.notEqual(r.code, 0, `accepted ${doc}`);
        assert.ok(!hasStackTrace(r.stderr), r.stderr);
        assert.match(r.stderr, /invalid|must|not/i, r.stderr);
      }
      if (name.includes('\u0000')) continue; // cannot be a command-line argument
      for (const args of [['delete', 'configmap', name], ['get', 'configmaps', '-n', name]]) {
        const r = await host.run(args);
        assert.ok(!hasStackTrace(r.stderr), `${args.join(' ')}: ${r.stderr}`);
      }
    }
    assert.deepEqual(readdirSync(outer), ['home'], 'something was written next to the state directory');
    assert.ok(!existsSync('/tmp/evil-abs'));
  } finally {
    host.stop();
    removeHome(outer);
  }
});

test('a symlink planted in the state directory is not followed', () => {
  const outer = tempHome('kubesim-symlink-');
  const home = join(outer, 'home');
  const outside = join(outer, 'outside');
  mkdirSync(outside);
  try {
    assert.equal(run(home, ['apply', '-f', '-'], configMap('ok', { a: '1' })).code, 0);
    const reg = join(stateDir(home), 'registry');
    // A namespace directory replaced by a link to outside, and a link planted as an object file.
    rmSync(join(reg, 'secrets'), { recursive: true, force: true });
    mkdirSync(join(reg, 'secrets'), { recursive: true });
    symlinkSync(outside, join(reg, 'secrets', 'default'));
    symlinkSync(join(outside, 'target'), join(reg, 'configmaps', 'default', 'planted'));
    const s = run(home, ['create', 'secret', 'generic', 's1', '--from-literal=k=v']);
    assert.ok(!hasStackTrace(s.stderr), s.stderr);
    const c = run(home, ['apply', '-f', '-'], configMap('planted', { a: '1' }));
    assert.ok(!hasStackTrace(c.stderr), c.stderr);
    assert.deepEqual(readdirSync(outside), [], `written through a planted symlink (secret exit ${s.code}: ${s.stderr.trim()}; configmap exit ${c.code}: ${c.stderr.trim()})`);
    const g = run(home, ['get', 'configmaps', '-A']);
    assert.ok(!hasStackTrace(g.stderr), g.stderr);
  } finally {
    removeHome(outer);
  }
});

test('a FIFO or a folder planted at a shared log file is skipped: reconcile, logs and delete end at once', () => {
  const home = tempHome('kubesim-logfifo-');
  const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  restartPolicy: Never\n  containers: [{name: c, image: busybox, command: [sh, -c, 'echo hi']}]\n`;
  try {
    assert.equal(run(home, ['apply', '-f', '-'], pod('fifo') + '---\n' + pod('dir')).code, 0);
    const logs = join(stateDir(home), 'logs', 'default');
    mkdirSync(logs, { recursive: true, mode: 0o700 });
    // Opened without O_NONBLOCK, a FIFO with no other end blocked the reconcile (and a daemon) for good.
    execFileSync('mkfifo', [join(logs, sharedFile('fifo'))]);
    assert.notEqual(sharedFile('fifo'), sharedFile('dir'));
    mkdirSync(join(logs, sharedFile('dir')));
    const r = run(home, ['reconcile', '--until-stable'], '', 15_000);
    assert.equal(r.code, 0, `exit ${r.code} (${r.signal ?? 'no signal'}): ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /not a regular file/);
    const got = run(home, ['get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.phase} {end}'], '', 15_000);
    assert.equal(got.stdout, 'dir=Succeeded fifo=Succeeded ');
    for (const args of [['logs', 'fifo'], ['logs', 'dir'], ['delete', 'pod', 'fifo', 'dir']]) {
      const l = run(home, args, '', 15_000);
      assert.equal(l.code, 0, `${args.join(' ')}: exit ${l.code} (${l.signal ?? 'no signal'}): ${l.stderr}`);
      assert.ok(!hasStackTrace(l.stderr), l.stderr);
    }
    assert.ok(lstatSync(join(logs, sharedFile('fifo'))).isFIFO(), 'the planted FIFO is left alone');
  } finally {
    removeHome(home);
  }
});

test('the state directory is 0700 and its files 0600, Secrets included', () => {
  const home = tempHome();
  try {
    assert.equal(run(home, ['create', 'secret', 'generic', 'db', '--from-literal=password=hunter2']).code, 0);
    assert.equal(run(home, ['apply', '-f', '-'], configMap('c', { a: '1' })).code, 0);
    const dir = stateDir(home);
    let secretSeen = false;
    for (const p of [dir, ...walk(dir)]) {
      const st = statSync(p);
      const mode = st.mode & 0o777;
      if (st.isDirectory()) assert.equal(mode, 0o700, `${p} is ${mode.toString(8)}`);
      else {
        assert.equal(mode, 0o600, `${p} is ${mode.toString(8)}`);
        if (p.includes('/secrets/')) secretSeen = true;
      }
    }
    assert.ok(secretSeen, 'the Secret file was not found');
  } finally {
    removeHome(home);
  }
});

test('hostile jsonpath, go-template and custom-columns output data or an error, never run code', async () => {
  const home = tempHome();
  const marker = join(home, 'pwned');
  const host = new CliHost({ cwd: ROOT, env: envFor(home) });
  try {
    assert.equal((await host.run(['apply', '-f', '-'], { stdin: configMap('c', { a: '1' }) })).code, 0);
    const js = `require('fs').writeFileSync('${marker}','x')`;
    const outputs = [
      'jsonpath={.constructor}', 'jsonpath={.__proto__}', 'jsonpath={.constructor.constructor}', `jsonpath={.constructor.constructor('${js}')()}`,
      'jsonpath={.metadata.__proto__.polluted}', `jsonpath={.items[?(@.x==process.exit(3))]}`, `jsonpath={${js}}`, 'jsonpath={.data.a.toString}',
      'go-template={{.constructor}}', 'go-template={{.__proto__}}', `go-template={{call .constructor "${js}"}}`, 'go-template={{.constructor.constructor}}',
      `go-template={{js "${js}"}}`, 'go-template={{printf "%v" .metadata.constructor}}', 'go-template={{template "x"}}', 'go-template={{process.exit 3}}',
      'custom-columns=A:.constructor,B:.__proto__,C:.constructor.constructor', `custom-columns=A:{${js}}`, 'custom-columns=A:.metadata.name.length',
    ];
    for (const o of outputs) {
      const r = await host.run(['get', 'configmap', 'c', '-o', o]);
      const all = r.stdout + r.stderr;
      assert.ok(!hasStackTrace(all), `-o ${o}: ${all}`);
      assert.ok(r.code === 0 || r.code === 1, `-o ${o}: exit ${r.code}`);
      assert.doesNotMatch(all, /\[native code\]|function \w*\(|=>|\[object Object\]/, `-o ${o} printed JavaScript internals: ${all}`);
      assert.ok(!existsSync(marker), `-o ${o} executed code`);
    }
  } finally {
    host.stop();
    removeHome(home);
  }
});
