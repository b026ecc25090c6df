// The dashboard in a real browser (Debian's chromium, headless, through playwright-core)
// against a cluster served by its daemon, reached through `kubesim dashboard`: the
// picture matches the cluster, follows a scale within a second, words a crash loop as
// `get pods` does, moves pods off a stopped node after a clock advance, shows a pod's
// path and a node's state, and shows validation errors at their lines. Screenshots of the
// main views go to test-output/dashboard (docs/images/dashboard holds a committed set).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { DashboardCluster, launchChromium, shot, trafficOf, until } from './page-harness';

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
  assert.equal(c.strayDaemons, '', `the daemon was stopped by cluster stop: ${c.strayDaemons}\n${c.daemonLog()}`);
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

test('a rolling update reads as one ReplicaSet draining into the next, on the shelves and in the Deployments list', async () => {
  // Each new pod is ready 30 s of cluster time (3 s at 10x) after it starts: the rollout takes a few seconds.
  c.ok(['apply', '-f', c.file('roll.yaml', `apiVersion: apps/v1
kind: Deployment
metadata: {name: roll}
spec:
  replicas: 3
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: roll}}
  template:
    metadata: {labels: {app: roll}}
    spec:
      containers:
      - name: app
        image: busybox:1.36
        command: ["sh", "-c", "sleep 36000"]
        readinessProbe: {exec: {command: ["true"]}, initialDelaySeconds: 30, periodSeconds: 5}
`)]);
  const section = page.locator('[data-deploy="default/roll"]');
  await until('revision 1 ready', async () => /3\/3 ready/.test(await section.innerText()) || undefined, 60_000);
  c.ok(['set', 'image', 'deployment/roll', 'app=busybox:1.37']);
  // Mid-rollout: the old set still has pods and the new one has some, side by side.
  const rsRow = (rev: number, role: string) => section.locator('.rs', { hasText: new RegExp(`revision ${rev} \\(${role}\\): [1-9]`) });
  // On the shelves too, once a new pod is bound: its block grouped under the new ReplicaSet.
  const groups = async () => new Set(await page.locator('#shelves .gname', { hasText: 'ReplicaSet/roll-' }).allInnerTexts()).size;
  await until('both revisions with pods, in the list and on the shelves', async () => ((await rsRow(1, 'old').count()) && (await rsRow(2, 'new').count()) && (await groups()) === 2) || undefined, 30_000, 25);
  await section.scrollIntoViewIfNeeded();
  await shot(page, 'rollout');
  await until('the rollout done', async () => /revision 1 \(old, scaled down\): 0 pods/.test(await section.innerText()) && /3\/3 ready, 3 up to date/.test(await section.innerText()) || undefined, 60_000);
  c.ok(['delete', 'deployment', 'roll']);
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

/** The page's list requests (not watches) of a collection, e.g. '/api/v1/pods'. */
const lists = (p: Page, path: string) => trafficOf(p).requests.filter((r) => new URL(r.split(' ')[1]).pathname === path && !/[?&]watch=/.test(r) && r.startsWith('GET ')).length;
/** The page's watch WebSockets of a collection. */
const watches = (p: Page, path: string) => trafficOf(p).sockets.filter((u) => new URL(u).pathname === path && new URL(u).searchParams.get('watch') === '1');

test('every kind is watched over a WebSocket and nothing is polled: a new Namespace and Deployment show within a second', async () => {
  const kinds = ['/api/v1/nodes', '/api/v1/pods', '/apis/apps/v1/replicasets', '/api/v1/events', '/apis/apps/v1/deployments', '/api/v1/namespaces', '/kubesim/v1/clock'];
  for (const k of kinds) assert.equal(watches(page, k).length, 1, `one watch of ${k}: ${trafficOf(page).sockets.join(' ')}`);
  for (const k of kinds.slice(0, -1)) assert.equal(lists(page, k), 1, `${k} listed once, then watched`);
  // Each shows within a second of the API server announcing it (the test's own watch).
  const announced = new Map<string, number>();
  const stops = [
    c.watch('/api/v1/namespaces', (type, name) => type === 'ADDED' && name === 'team-a' && announced.set('ns', Date.now())),
    c.watch('/apis/apps/v1/namespaces/team-a/deployments', (type, name) => type === 'ADDED' && name === 'api' && announced.set('deploy', Date.now())),
  ];
  try {
    c.ok(['create', 'namespace', 'team-a']);
    c.ok(['create', 'deployment', 'api', '-n', 'team-a', '--image=busybox:1.36', '--replicas=1', '--', 'sleep', '36000']);
    const shown = new Map<string, number>();
    await until(() => `the namespace and the Deployment on the page (announced: ${[...announced.keys()]}, shown: ${[...shown.keys()]})`, async () => {
      const [ns, deploy] = await page.evaluate(() => [
        [...document.querySelectorAll<HTMLOptionElement>('#ns-filter option')].some((o) => o.value === 'team-a'),
        !!document.querySelector('[data-deploy="team-a/api"]'),
      ]);
      if (ns && !shown.has('ns')) shown.set('ns', Date.now());
      if (deploy && !shown.has('deploy')) shown.set('deploy', Date.now());
      return (shown.size === 2 && announced.size === 2) || undefined;
    }, 15_000, 20);
    for (const k of ['ns', 'deploy']) assert.ok(shown.get(k)! - announced.get(k)! < 1000, `${k} shown ${shown.get(k)! - announced.get(k)!} ms after the API announced it`);
  } finally {
    for (const s of stops) s();
  }
  // Still one list each: what changed came through the watches.
  for (const k of kinds.slice(0, -1)) assert.equal(lists(page, k), 1, `${k} not listed again`);
});

test('the clock follows changes made with the CLI, Pause works from the page, and the filters narrow the picture', async () => {
  // The clock's watch: a speed set elsewhere shows without a reload.
  c.ok(['clock', 'speed', '20']);
  await until('speed 20× on the page', async () => /speed 20×/.test(await page.locator('#clock-speed').innerText()) || undefined, 5000);
  await page.getByRole('button', { name: 'Pause' }).click();
  await until('paused', async () => /\(paused\)/.test(await page.locator('#clock-speed').innerText()) || undefined, 5000);
  assert.match(c.ok(['clock']), /\(speed 0x\)/);
  await page.getByRole('button', { name: 'Resume' }).click();
  await until('resumed at 20×', async () => /speed 20×/.test(await page.locator('#clock-speed').innerText()) || undefined, 5000);
  c.ok(['clock', 'speed', '10']);
  await until('speed 10× on the page', async () => /speed 10×/.test(await page.locator('#clock-speed').innerText()) || undefined, 5000);
  // A namespace: only its pods.
  await page.locator('#ns-filter').selectOption('team-a');
  await until('only team-a pods', async () => {
    const keys = Object.keys((await picture(page)).pods);
    return (keys.length > 0 && keys.every((k) => k.startsWith('team-a/'))) || undefined;
  }, 5000);
  await page.locator('#ns-filter').selectOption('');
  // A label selector in the API's grammar; a bad one is explained and changes nothing.
  await page.locator('#label-filter').fill('app in (crasher, huge)');
  await until('only crasher and huge', async () => Object.keys((await picture(page)).pods).sort().join() === 'default/crasher,default/huge' || undefined, 5000);
  await page.locator('#label-filter').fill('app in crasher');
  await until('the selector explained', async () => /invalid selector/.test(await page.locator('#filter-error').innerText()) || undefined, 5000);
  await page.locator('#label-filter').fill('');
  await agrees(page, 'every pod shown again');
});

test('a crash loop reads CrashLoopBackOff with its restart count, after the clock is advanced from the page', async () => {
  await page.getByRole('button', { name: 'Advance the clock 1 minute' }).click();
  // The loop cycles in real time (CrashLoopBackOff, then Error when a back-off ends and the
  // container fails again), so the page and `get pod` are compared at one moment: the CLI's
  // read bracketed by two equal reads of the page, status word and restart count alike.
  let seen = '';
  const crasher = await until(() => `the page and get pod to agree on crasher in CrashLoopBackOff: ${seen}`, async () => {
    const before = (await picture(page)).pods['default/crasher'];
    seen = JSON.stringify({ page: before });
    if (before?.status !== 'CrashLoopBackOff' || before.restarts < 1) return undefined;
    const [, , status, restarts] = c.ok(['get', 'pod', 'crasher', '--no-headers']).trim().split(/\s+/);
    const after = (await picture(page)).pods['default/crasher'];
    seen = JSON.stringify({ before, cli: { status, restarts }, after });
    const same = after?.status === before.status && after.restarts === before.restarts;
    return same && status === before.status && Number(restarts) === before.restarts && before;
  }, 30_000, 100);
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

/** Waits until the page shows exactly the pods the API lists and `also` holds; returns the keys. */
async function agrees(p: Page, what: string, also: (keys: string[]) => boolean | Promise<boolean> = () => true): Promise<string[]> {
  let diag = '';
  return until(() => `${what}: ${diag}`, async () => {
    const shown = Object.keys((await picture(p)).pods).sort();
    const api = apiPods().map((x) => x.key).sort();
    diag = JSON.stringify({ shown, api, status: await p.locator('#status').innerText() });
    return (shown.join() === api.join() && (await also(api)) && api) || undefined;
  }, 30_000, 100);
}

const webReplicas = () => Number(c.ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']));

test('cordon, uncordon and drain from a node panel do what kubectl does', async () => {
  const stopped = await page.evaluate(() => Object.keys(window.kubesimDashboard!.stopped));
  // A powered node with web pods and without the bare pod crasher (which would stop the drain too).
  const pods = apiPods();
  const crasherOn = pods.find((p) => p.key === 'default/crasher')?.node;
  const target = pods.find((p) => p.key.startsWith('default/web-') && p.node && p.node !== crasherOn && !stopped.includes(p.node))?.node ?? assert.fail(`a powered node with web pods and no crasher: ${JSON.stringify(pods)}`);
  const shelfHead = () => page.locator(`[data-shelf="${target}"] h3`).innerText();
  const act = async (button: string, want: RegExp) => {
    await page.locator(`[data-node="${target}"]`).first().click();
    await page.getByRole('button', { name: button, exact: true }).click();
    await until(() => `${button} ${target}: ${want}`, async () => want.test(await page.locator('#node-act-result').innerText()) || undefined, 30_000);
    const text = await page.locator('#node-act-result').innerText();
    await page.keyboard.press('Escape');
    return text;
  };
  await act('Cordon', /cordoned/);
  await until('the shelf cordoned', async () => /Ready,SchedulingDisabled/.test(await shelfHead()) || undefined, 5000);
  assert.equal(c.ok(['get', 'node', target, '-o', 'jsonpath={.spec.unschedulable}']), 'true');
  await act('Uncordon', /uncordoned/);
  await until('the shelf uncordoned', async () => !/SchedulingDisabled/.test(await shelfHead()) || undefined, 5000);
  assert.equal(c.ok(['get', 'node', target, '-o', 'jsonpath={.spec.unschedulable}']), '');
  // The panel open while a pod lands on its node: its buttons stay the same elements through the
  // redraws (replaced, a click pressed meanwhile was lost: a CI run's drain never started).
  await page.locator(`[data-node="${target}"]`).first().click();
  const drainButton = await page.getByRole('button', { name: 'Drain', exact: true }).elementHandle();
  // A pod no controller would recreate stops the drain before any eviction, as kubectl without --force.
  c.ok(['apply', '-f', c.file('lone.yaml', `apiVersion: v1\nkind: Pod\nmetadata: {name: lone}\nspec:\n  nodeName: ${target}\n  containers: [{name: app, image: busybox:1.36, command: [sleep, "36000"]}]\n`)]);
  await until('lone on the page', async () => (await picture(page)).pods['default/lone'] || undefined);
  await until('lone Running in the node panel', async () => /default\/lone\s*Running/.test(await page.locator('#detail').innerText()) || undefined, 30_000);
  assert.equal(await drainButton!.evaluate((b) => b.isConnected), true, 'the Drain button was replaced by a redraw');
  await page.keyboard.press('Escape');
  const refused = await act('Drain', /unable to drain/);
  assert.equal(refused, `node/${target} cordoned; error: unable to drain node "${target}" due to error: cannot delete Pods that declare no controller (use --force to override): default/lone`);
  assert.ok(apiPods().filter((p) => p.node === target).length >= 2, 'nothing evicted');
  c.ok(['delete', 'pod', 'lone', '--grace-period=0', '--force']);
  await until('lone gone from the page', async () => !(await picture(page)).pods['default/lone'] || undefined);
  const drained = await act('Drain', /drained/);
  assert.match(drained, /pod\/web-\S+ evicted/);
  await until('no pod left on the drained node', async () => apiPods().every((p) => p.node !== target) || undefined, 30_000, 200);
  await act('Uncordon', /uncordoned/);
  await agrees(page, 'the page to agree with the API after the drain');
});

test('cut connections are watched again from the last resourceVersion: what changed meanwhile shows, nothing is listed again', async () => {
  const before = { lists: lists(page, '/api/v1/pods'), watches: watches(page, '/api/v1/pods').length, pods: new Set(Object.keys((await picture(page)).pods)) };
  await c.restartDashboard(async () => {
    // The page says it is not live while the proxy is gone...
    await until('the page to say the watches were cut', async () => /watching .*(cut|cannot reach)/.test(await page.locator('#status').innerText()) || undefined, 10_000);
    // ...and the cluster moves on meanwhile.
    c.ok(['scale', 'deployment/web', `--replicas=${webReplicas() + 1}`]);
    c.ok(['label', 'pod', 'crasher', 'phase=two']);
  });
  await agrees(page, 'the new web pod and the new label on the page', async (api) =>
    api.some((k) => !before.pods.has(k)) && (await page.evaluate(() => window.kubesimDashboard!.model.objects.pods.get('default/crasher')?.metadata.labels?.phase)) === 'two');
  await until('the status cleared', async () => (await page.locator('#status').innerText()).trim() === '' || undefined, 10_000);
  assert.equal(lists(page, '/api/v1/pods'), before.lists, 'pods were not listed again');
  const again = watches(page, '/api/v1/pods').slice(before.watches);
  assert.ok(again.length >= 1, 'the pods were watched again');
  // From where the page had got to, not from the start.
  for (const u of again) assert.ok(Number(new URL(u).searchParams.get('resourceVersion')) > 0, u);
  // The browser logs each refused connection while the proxy was down; nothing else.
  const cut = (e: string) => /WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/.*' failed/.test(e);
  assert.deepEqual(c.consoleErrors.filter((e) => !cut(e)), []);
  c.consoleErrors.splice(0, c.consoleErrors.length);
});

test('a 410 Gone on a watch relists and watches again from the new list', async () => {
  // The server's answer to a resourceVersion it no longer holds, put on the page's first pods watch.
  const gone = { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 1 (9999)', reason: 'Expired', code: 410 } };
  const p2 = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  let expired = 0;
  await p2.routeWebSocket((u) => u.pathname === '/api/v1/pods', (ws) => {
    const server = ws.connectToServer();
    if (!expired++) ws.send(JSON.stringify(gone));
    else server.onMessage((m) => ws.send(m));
  });
  const listed: string[] = [];
  p2.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/api/v1/pods' && !u.searchParams.has('watch')) listed.push(r.url());
  });
  await p2.goto(c.dashboardUrl.replace(/#.*/, `#token=${encodeURIComponent(c.pki('token').trim())}`));
  await until(() => `a relist after the 410 (lists: ${listed.length}, watches: ${expired})`, async () => (listed.length >= 2 && expired >= 2) || undefined, 15_000);
  const shown = new Set(await agrees(p2, 'the page to agree with the API after the relist'));
  // And it is live again: a change after the relist shows.
  c.ok(['scale', 'deployment/web', `--replicas=${webReplicas() + 1}`]);
  await agrees(p2, 'the new pod on the page', (api) => api.some((k) => !shown.has(k)));
  assert.equal(listed.length, 2, 'one relist');
  await p2.close();
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

/** Drops a file from disk on the manifest box as a user would: chromium's own drag and drop (CDP Input.dispatchDragEvent). */
async function dropFile(p: Page, path: string): Promise<void> {
  const box = p.locator('#apply-text');
  await box.scrollIntoViewIfNeeded();
  const b = (await box.boundingBox()) ?? assert.fail('the manifest box is shown');
  const at = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  const cdp = await p.context().newCDPSession(p);
  const data = { items: [], files: [path], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
  await cdp.detach();
}

test('a manifest file dropped on the box is applied; one with errors is refused with each error at its line', async () => {
  const box = page.locator('#apply-text');
  const apply = page.getByRole('button', { name: 'Apply (server-side)' });
  await box.fill('');
  await dropFile(page, c.file('dropped.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dropped}\ndata: {greeting: hello}\n'));
  await until('the dropped file in the box', async () => /name: dropped\}/.test(await box.inputValue()) || undefined, 5000);
  await apply.click();
  await until('applied', async () => /configmaps\/dropped serverside-applied/.test(await page.locator('#apply-result').innerText()) || undefined);
  assert.equal(c.ok(['get', 'configmap', 'dropped', '-o', 'jsonpath={.data.greeting}']), 'hello');

  const bad = c.file('dropped-bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: dropped-bad\nspec:\n  restartPolicy: Sometimes\n  containers:\n  - name: app\n    image: busybox\n    ports:\n    - containerPort: 99999\n');
  const cli = c.kubesim(['validate', bad]);
  assert.equal(cli.code, 1, cli.stdout);
  await dropFile(page, bad);
  await until('the second file replacing the first', async () => /dropped-bad/.test(await box.inputValue()) || undefined, 5000);
  await apply.click();
  await until('the findings', async () => (await page.locator('#apply-result .finding').count()) > 0 || undefined);
  const marked = await page.locator('#apply-result .listing li.bad').evaluateAll((els) => els.map((e) => Number(e.getAttribute('value'))));
  const cliLines = [...cli.stdout.matchAll(/dropped-bad\.yaml:(\d+):\d+/g)].map((m) => Number(m[1]));
  cliLines.sort((a, b) => a - b);
  assert.deepEqual(cliLines, [6, 11], cli.stdout);
  assert.deepEqual([...new Set(marked)].sort((a, b) => a - b), cliLines, `page marks ${marked}, the CLI says\n${cli.stdout}`);
  assert.match(await page.locator('#apply-result li.bad[value="11"] .finding').innerText(), /line 11, .*containerPort: Invalid value: 99999/);
  assert.notEqual(c.kubesim(['get', 'pod', 'dropped-bad']).code, 0, 'nothing applied');
  assert.deepEqual(c.consoleErrors, []);
});

/** What a shelf far down the page shows: its placeholder until drawn. */
const shelfText = (p: Page, name: string) => p.locator(`[data-shelf="${name}"]`).innerText();

test('with many nodes, a shelf far from the window is drawn when scrolled to (and by keyboard focus)', async () => {
  // The page without a cluster (bench mode), fed 300 nodes through its own update path.
  const p2 = await c.open(browser);
  await p2.goto(new URL('/dashboard/?bench', c.dashboardUrl).href);
  await p2.evaluate(() => {
    const nodes = Array.from({ length: 300 }, (_, i) => ({ metadata: { name: `node-${String(i).padStart(3, '0')}` }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] } }));
    window.kubesimDashboard!.load('nodes', nodes);
  });
  await until('the first shelf drawn', async () => /CPU/.test(await shelfText(p2, 'node-000')) || undefined, 5000);
  assert.doesNotMatch(await shelfText(p2, 'node-299'), /CPU/, 'the last shelf is not drawn before it is near the window');
  await p2.locator('[data-shelf="node-299"]').scrollIntoViewIfNeeded();
  await until('the last shelf drawn once scrolled to', async () => /CPU/.test(await shelfText(p2, 'node-299')) || undefined, 5000);
  // Its node button is a focusable button that opens the node's panel with Enter.
  await p2.locator('[data-shelf="node-299"] [data-node]').focus();
  await p2.keyboard.press('Enter');
  await until('the node panel', async () => /node-299/.test(await p2.locator('#detail-h').innerText()) || undefined, 5000);
  await p2.keyboard.press('Escape');
  const focusedNode = () => p2.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.node);
  assert.equal(await focusedNode(), 'node-299', 'Escape returns focus to the node button');
  // At 200 % zoom (700 CSS pixels), Tab walks the shelves in order: each is drawn before focus reaches it.
  await p2.setViewportSize({ width: 700, height: 500 });
  await p2.locator('[data-node="node-000"]').focus();
  for (let i = 1; i <= 15; i++) {
    await p2.keyboard.press('Tab');
    assert.equal(await focusedNode(), `node-${String(i).padStart(3, '0')}`, `Tab ${i} reaches the next shelf's node`);
  }
  assert.ok(await p2.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling at 200 %');
  await p2.close();
  assert.deepEqual(c.consoleErrors, []);
});

test('the API server streams watches, logs and the clock over WebSocket as kube-apiserver does, the token as a subprotocol', async () => {
  const token = Buffer.from(c.pki('token').trim()).toString('base64url');
  const open = (path: string, protocols: string[]) =>
    new Promise<{ ws: WebSocket; first: Promise<WebSocket.RawData> } | { status: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(`${c.url.replace('https', 'wss')}${path}`, protocols, { ca: c.pki('ca.crt') });
      const first = new Promise<WebSocket.RawData>((r) => ws.once('message', r));
      ws.once('open', () => resolve({ ws, first }));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.once('error', reject);
    });
  const bearer = `base64url.bearer.authorization.k8s.io.${token}`;
  const watch = await open('/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3Dcrasher', ['base64.binary.k8s.io', bearer]);
  assert.ok('ws' in watch);
  assert.equal(watch.ws.protocol, 'base64.binary.k8s.io', 'the one protocol left once the token is read');
  const e = JSON.parse(String(await watch.first));
  assert.deepEqual([e.type, e.object.kind, e.object.metadata.name], ['ADDED', 'Pod', 'crasher']);
  watch.ws.close();
  // A pod's log: base64 text frames (base64.binary.k8s.io), as kube-apiserver's wsstream.
  const log = await open('/api/v1/namespaces/default/pods/crasher/log', ['base64.binary.k8s.io', bearer]);
  assert.ok('ws' in log);
  assert.match(Buffer.from(String(await log.first), 'base64').toString(), /starting/);
  log.ws.close();
  const clock = await open('/kubesim/v1/clock?watch=1', ['base64.binary.k8s.io', bearer]);
  assert.ok('ws' in clock);
  const state = JSON.parse(String(await clock.first));
  assert.ok(state.nowMs > 0 && typeof state.stopped === 'object', JSON.stringify(state));
  clock.ws.close();
  // Refusals come before the upgrade, as HTTP answers with a Status.
  const bad = await open('/api/v1/pods?watch=1', ['base64.binary.k8s.io', `base64url.bearer.authorization.k8s.io.${Buffer.from('wrong').toString('base64url')}`]);
  assert.ok('status' in bad && bad.status === 401, JSON.stringify(bad));
  const none = await open('/api/v1/pods?watch=1', ['base64.binary.k8s.io']);
  assert.ok('status' in none && none.status === 401);
  assert.equal(JSON.parse(none.body).reason, 'Unauthorized');
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
  // A change to its node redraws the pod's shelf (as pods coming and going do): the focus
  // stays on the pod's block (drawn anew), not lost to the page's body.
  await first.evaluate((el) => el.setAttribute('data-before-redraw', ''));
  const [ns, podName] = focused.split('/');
  const nodeName = c.ok(['get', 'pod', podName, '-n', ns, '-o', 'jsonpath={.spec.nodeName}']);
  c.ok(['annotate', 'node', nodeName, `redrawn=${Date.now()}`]);
  await until('the shelf redrawn', async () => (await direct.locator('[data-before-redraw]').count()) === 0 || undefined, 10_000);
  const focusNow = () => direct.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    return a ? `${a.tagName.toLowerCase()}${a.id ? '#' + a.id : ''} data-pod=${a.dataset?.pod ?? '-'}` : 'nothing';
  });
  // The pod's block as drawn now (a crash-looping pod's shelf may be redrawn again between two
  // reads: a clean-clone CI run saw the focus on its newest block, not on the one read first).
  const focusedPod = () => direct.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset?.pod ?? '');
  assert.equal(await focusedPod(), focused, `focus stays on the redrawn block ${focused} (it is on ${await focusNow()})`);
  await direct.keyboard.press('Enter');
  await until('the panel', async () => (await direct.locator('#detail').isVisible()) || undefined, 5000);
  await direct.keyboard.press('Escape');
  assert.equal(await focusedPod(), focused, `Escape gives the focus back to ${focused} (it is on ${await focusNow()})`);
  await direct.close();
});
