// The dashboard in a real browser (Debian's chromium, headless, through playwright-core)
// against a cluster served by its daemon, reached through `kubesim dashboard`: the
// picture matches the cluster, follows a scale within a second, words a crash loop as
// `get pods` does, moves pods off a stopped node after a clock advance, shows a pod's
// path and a node's state, and shows validation errors at their lines. Screenshots of the
// main views go to test-output/dashboard (docs/images/dashboard holds a committed set).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { DashboardCluster, launchChromium, shot, until } from './page-harness';

const c = new DashboardCluster('dash');
let browser: Browser;
let page: Page;

const seed = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: busybox:1.36
        command: ["sh", "-c", "echo serving; sleep 36000"]
        resources: {requests: {cpu: 500m, memory: 256Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: crasher, labels: {app: crasher}}
spec:
  containers:
  - {name: app, image: busybox:1.36, command: ["sh", "-c", "echo starting; exit 1"]}
---
apiVersion: v1
kind: Pod
metadata: {name: huge, labels: {app: huge}}
spec:
  containers:
  - {name: app, image: busybox:1.36, command: ["sh", "-c", "sleep 36000"], resources: {requests: {cpu: "64"}}}
`;

/** What the page shows: shelves and, per pod key, its status word, restarts and place. */
function picture(p: Page) {
  return p.evaluate(() => {
    const pods: Record<string, { status: string; restarts: number; node: string; text: string }> = {};
    for (const b of document.querySelectorAll<HTMLElement>('#shelves [data-pod], #pending-list [data-pod]')) {
      const shelf = b.closest<HTMLElement>('[data-shelf]');
      pods[b.dataset.pod!] = { status: b.dataset.status!, restarts: Number(b.dataset.restarts), node: shelf?.dataset.shelf ?? '', text: b.innerText };
    }
    return { shelves: [...document.querySelectorAll<HTMLElement>('#shelves [data-shelf]')].map((s) => s.dataset.shelf!), pods };
  });
}

function apiPods(): Array<{ key: string; node: string; phase: string }> {
  const list = JSON.parse(c.ok(['get', 'pods', '-A', '-o', 'json']));
  return list.items.map((p: any) => ({ key: `${p.metadata.namespace}/${p.metadata.name}`, node: p.spec.nodeName ?? '', phase: p.status?.phase ?? '' }));
}

before(async () => {
  [browser] = await Promise.all([launchChromium(), c.startDashboard(['--nodes', '3'])]);
  // Cluster time at 10x: pulls and starts take a tenth of the wait (the daemon runs at this speed).
  c.ok(['clock', 'speed', '10']);
  c.ok(['apply', '-f', c.file('seed.yaml', seed)]);
  page = await c.open(browser);
});

after(async () => {
  await browser?.close();
  await c.stopAll();
  assert.equal(c.strayDaemons, '', 'the daemon was stopped by cluster stop');
});

test('the page shows a shelf per node and a block per pod, with no console errors', async () => {
  // The page first (cheap to poll), then the API's list once it agrees: every pod drawn, on its node.
  let api: ReturnType<typeof apiPods> = [];
  const seen = await until(() => `the page to show ${JSON.stringify(api)}`, async () => {
    const pic = await picture(page);
    const web = Object.entries(pic.pods).filter(([k, p]) => k.startsWith('default/web-') && p.status === 'Running');
    if (pic.shelves.length !== 3 || web.length !== 4 || !pic.pods['default/huge'] || !pic.pods['default/crasher']) return undefined;
    api = apiPods();
    return Object.keys(pic.pods).sort().join() === api.map((p) => p.key).sort().join() && api.every((p) => pic.pods[p.key].node === p.node) && pic;
  }, 60_000, 100);
  assert.deepEqual(seen.shelves, ['node-1', 'node-2', 'node-3']);
  for (const p of api) assert.equal(seen.pods[p.key].node, p.node, `${p.key} drawn on its node`);
  // The pod no node can hold waits beside the shelves with the scheduler's reason.
  const waiting = await page.locator('#pending-list li', { hasText: 'huge' }).innerText();
  assert.match(waiting, /Pending/);
  assert.match(waiting, /0\/3 nodes are available: 3 Insufficient cpu/);
  // The room on a shelf: requests against allocatable.
  const shelfText = await page.locator(`[data-shelf="${api.find((p) => p.key.startsWith('default/web-'))!.node}"]`).innerText();
  assert.match(shelfText, /CPU\s+\S+ \/ \d+ \(\d+%\)/);
  await shot(page, 'cluster', true);
  assert.deepEqual(c.consoleErrors, []);
});

test('a scale shows within a second of the API server announcing the new pods', async () => {
  // The test's own watch on the API says when the new pods exist; the page must draw them
  // within a second of that (the rest is the controllers' work, not the page's).
  const added = new Map<string, number>();
  const stop = c.watch('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb', (type, name) => {
    if (type === 'ADDED' && !added.has(name)) added.set(name, Date.now());
  });
  try {
    await until('the watch to list the 4 pods', async () => added.size === 4 || undefined);
    const t0 = Date.now();
    c.ok(['scale', 'deployment/web', '--replicas=6']);
    let shownAt = 0;
    await until(() => `6 web blocks (the API announced ${added.size})`, async () => {
      const n = Object.keys((await picture(page)).pods).filter((k) => k.startsWith('default/web-')).length;
      if (n === 6) shownAt = Date.now();
      return n === 6 || undefined;
    }, 15_000, 20);
    const announced = Math.max(...added.values());
    assert.equal(added.size, 6);
    assert.ok(shownAt - announced < 1000, `the page drew the new pods ${shownAt - announced} ms after the API announced them`);
    assert.ok(shownAt - t0 < 10_000, `scale to page: ${shownAt - t0} ms`);
  } finally {
    stop();
  }
});

test('a crash loop reads CrashLoopBackOff with its restart count, after the clock is advanced from the page', async () => {
  await page.getByRole('button', { name: 'Advance the clock 1 minute' }).click();
  const crasher = await until('crasher in CrashLoopBackOff with restarts', async () => {
    const p = (await picture(page)).pods['default/crasher'];
    return p && p.status === 'CrashLoopBackOff' && p.restarts >= 1 && p;
  });
  const got = c.ok(['get', 'pod', 'crasher', '--no-headers']).trim().split(/\s+/);
  assert.equal(got[2], 'CrashLoopBackOff');
  assert.match(crasher.text, new RegExp(`CrashLoopBackOff[\\s\\S]*↻ ${crasher.restarts} restart`));
  // Its panel: the path through the steps (kubesim trace pod), events, logs.
  await page.locator('[data-pod="default/crasher"]').click();
  await until('the trace', async () => (await page.locator('#detail-body .trace li').count()) > 3 || undefined);
  const trace = await page.locator('#detail-body').innerText();
  assert.match(trace, /Back-off restarting failed container|CrashLoopBackOff|exited/i);
  await shot(page, 'pod-trace');
  await page.getByRole('tab', { name: 'Logs' }).click();
  await until('the logs', async () => /starting/.test(await page.locator('#log-text').innerText()) || undefined);
  await page.getByRole('tab', { name: 'YAML' }).click();
  await until('the YAML', async () => /restartCount: \d/.test(await page.locator('#detail-body').innerText()) || undefined);
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#detail').isHidden(), true);
});

test('stopping a node from its panel moves its pods after a clock advance', async () => {
  let pic = await picture(page);
  const victim = Object.values(pic.pods).find((p) => p.node && p.status === 'Running' && /web-/.test(p.text))!.node;
  const before = Object.entries(pic.pods).filter(([k, p]) => k.startsWith('default/web-') && p.node === victim).map(([k]) => k);
  assert.ok(before.length > 0);
  await page.locator(`[data-node="${victim}"]`).first().click();
  await page.getByRole('button', { name: /Stop \(power off\)/ }).click();
  await until('the node powered off', async () => /powered off/.test(await page.locator(`[data-shelf="${victim}"]`).innerText()) || undefined);
  await shot(page, 'node-panel');
  await page.keyboard.press('Escape');
  // Not-ready after 40 s without heartbeats, evicted 300 s later (the default tolerations).
  for (let i = 0; i < 2; i++) await page.getByRole('button', { name: 'Advance the clock 5 minutes' }).click();
  pic = await until('the web pods Running on the other nodes', async () => {
    const p = await picture(page);
    const web = Object.entries(p.pods).filter(([k]) => k.startsWith('default/web-'));
    const running = web.filter(([, x]) => x.status === 'Running' && x.node !== victim);
    const left = web.filter(([, x]) => x.node === victim && x.status !== 'Terminating');
    return running.length === 6 && left.length === 0 && p;
  }, 30_000, 100);
  const shelf = await page.locator(`[data-shelf="${victim}"]`).innerText();
  assert.match(shelf, /NotReady/);
  for (const k of before) assert.ok(!pic.pods[k] || pic.pods[k].status === 'Terminating', `${k} left ${victim}`);
  await shot(page, 'node-stopped', true);
});

test('a manifest with errors is refused with each error at its line; a valid one is applied', async () => {
  const bad = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: typo
spec:
  replicas: 1
  selector: {matchLabels: {app: typo}}
  template:
    metadata: {labels: {app: typo}}
    spec:
      containers:
      - name: app
        image: nginx
        imagePullPolicy: Sometimes
        ports:
        - containerPort: "eighty"
`;
  const cli = c.kubesim(['validate', '-'], { stdin: bad });
  assert.equal(cli.code, 1);
  await page.locator('#apply-text').fill(bad);
  await page.getByRole('button', { name: 'Apply (server-side)' }).click();
  await until('the findings', async () => (await page.locator('#apply-result .finding').count()) > 0 || undefined);
  const marked = await page.locator('#apply-result .listing li.bad').evaluateAll((els) => els.map((e) => Number(e.getAttribute('value'))));
  const cliLines = [...cli.stdout.matchAll(/STDIN:(\d+):\d+/g)].map((m) => Number(m[1]));
  assert.ok(cliLines.length > 0, cli.stdout);
  assert.deepEqual([...new Set(marked)].sort(), [...new Set(cliLines)].sort(), `page marks ${marked}, the CLI says\n${cli.stdout}`);
  // The report as `kubesim validate` prints it.
  assert.equal((await page.locator('#apply-result .vtext').innerText()).trim(), cli.stdout.trim());
  await page.locator('.listing li.bad').first().scrollIntoViewIfNeeded();
  await shot(page, 'apply-errors');
  await page.locator('#apply-text').fill(bad.replace('Sometimes', 'IfNotPresent').replace('"eighty"', '80'));
  await page.getByRole('button', { name: 'Apply (server-side)' }).click();
  await until('applied', async () => /deployments\.apps\/typo serverside-applied/.test(await page.locator('#apply-result').innerText()) || undefined);
  assert.match(c.ok(['get', 'deployment', 'typo', '-o', 'name']), /deployment.apps\/typo/);
  assert.deepEqual(c.consoleErrors, []);
});

test('the API server serves the page itself; its kubesim endpoint needs credentials and RBAC', async () => {
  const html = await c.request('GET', '/dashboard/', { auth: 'none' }).catch((e) => assert.fail(`${e}\n${c.daemonLog()}`));
  assert.equal(html.status, 200);
  assert.match(String(html.headers['content-security-policy']), /default-src 'none'/);
  assert.equal((await c.request('GET', '/kubesim/v1/clock', { auth: 'none' })).status, 401);
  const clock = await c.request('GET', '/kubesim/v1/clock', { auth: 'token' });
  assert.equal(clock.status, 200);
  assert.ok(JSON.parse(clock.body).nowMs > 0);
  // Pause (speed 0) holds cluster time still; a speed resumes it.
  const paused = JSON.parse((await c.request('POST', '/kubesim/v1/clock/speed', { body: '{"speed":0}', auth: 'token' })).body);
  assert.equal(paused.paused, true);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(JSON.parse((await c.request('GET', '/kubesim/v1/clock', { auth: 'token' })).body).nowMs, paused.nowMs);
  assert.match(c.ok(['clock']), /\(speed 0x\)/);
  assert.equal(JSON.parse((await c.request('POST', '/kubesim/v1/clock/speed', { body: '{"speed":10}', auth: 'token' })).body).speed, 10);
  const bad = await c.request('POST', '/kubesim/v1/clock/advance', { body: '{"duration":"soon"}', auth: 'token' });
  assert.equal(bad.status, 400);
  const denied = await c.request('POST', '/kubesim/v1/clock/advance', { body: '{"duration":"1m"}', headers: { 'impersonate-user': 'someone' } });
  assert.equal(denied.status, 403);
  assert.match(JSON.parse(denied.body).message, /User "someone" cannot post path "\/kubesim\/v1\/clock\/advance"/);
  // The same page over HTTPS from the API server (a browser that trusts the cluster CA).
  const direct = await browser.newPage({ ignoreHTTPSErrors: true });
  await direct.goto(`${c.url}/dashboard/#token=${encodeURIComponent(c.pki('token').trim())}`);
  await until('shelves over HTTPS', async () => (await direct.locator('[data-shelf]').count()) === 3 || undefined);
  // 200 % zoom of a 1400-pixel window: everything reflows into 700 CSS pixels, no sideways scrolling.
  await direct.setViewportSize({ width: 700, height: 500 });
  await until('the narrow layout', async () => (await direct.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)) || undefined, 5000);
  // Keyboard: Tab reaches a pod block, Enter opens its panel, Escape closes it and gives focus back.
  await direct.locator('#label-filter').focus();
  let focused = '';
  for (let i = 0; i < 30 && !focused; i++) {
    await direct.keyboard.press('Tab');
    focused = await direct.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.pod ?? '');
  }
  assert.ok(focused, 'Tab reaches a pod block');
  const first = direct.locator(`[data-pod="${focused}"]`);
  await direct.keyboard.press('Enter');
  await until('the panel', async () => (await direct.locator('#detail').isVisible()) || undefined, 5000);
  await direct.keyboard.press('Escape');
  assert.equal(await first.evaluate((el) => el === document.activeElement), true);
  await direct.close();
});
