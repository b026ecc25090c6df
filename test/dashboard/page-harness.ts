// A served cluster (the daemon in the foreground: controllers and kubelets run), the
// `kubesim dashboard` proxy in front of it, and Debian's chromium driven headless by
// playwright-core. chromium is the oracle here: missing, the test fails (never skips).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as https from 'node:https';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { ServedCluster, sleep } from '../server/harness';
import { BIN, ROOT } from '../e2e/helpers';
import { requireTool } from '../oracles';

export const CHROMIUM = '/usr/bin/chromium';

/** Where screenshots go: test-output/dashboard, or $KUBESIM_DASHBOARD_SCREENSHOTS (docs/images/dashboard for the docs set). */
export const SHOTS = join(ROOT, process.env.KUBESIM_DASHBOARD_SCREENSHOTS ?? join('test-output', 'dashboard'));

export async function launchChromium(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `these tests drive Debian's chromium at ${CHROMIUM} and it is missing (install the Debian package chromium, as .ci/run does)`);
  requireTool(CHROMIUM, ['--version'], 'chromium');
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

export class DashboardCluster extends ServedCluster {
  dashboardUrl = '';
  private dash?: ChildProcess;
  readonly consoleErrors: string[] = [];

  /**
   * As a user would: the cluster created, then `kubesim dashboard --no-open`, which starts
   * the cluster's daemon (controllers, kubelets, the API server) and proxies to it.
   */
  async startDashboard(createArgs: string[]): Promise<void> {
    this.ok(['cluster', 'create', this.name, ...createArgs]);
    await this.runDashboard([]);
  }

  private async runDashboard(args: string[]): Promise<void> {
    const child = spawn(process.execPath, [BIN, 'dashboard', '--no-open', ...args], { cwd: ROOT, env: this.env({ KUBESIM_NO_DAEMON: '' }), stdio: ['ignore', 'pipe', 'pipe'] });
    this.dash = child;
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    // A dashboard that ends on its own leaves the page reconnecting to nothing: say so in the
    // next wait that times out, with what it printed, rather than only what the page lacks.
    child.once('exit', (code, signal) => {
      if (!this.stoppedDash.has(child)) dashboardExits.push(`kubesim dashboard exited on its own (${code ?? signal}): ${out.slice(-2000)}`);
    });
    const deadline = Date.now() + 30_000;
    // Both lines: the address, and the API server behind it (printed on their own schedule).
    while (!/(http:\/\/127\.0\.0\.1:\d+\/dashboard\/#token=\S+)/.test(out) || !/a proxy to the cluster's API at https:\/\/\S+;/.test(out)) {
      if (child.exitCode !== null) throw new Error(`kubesim dashboard exited ${child.exitCode}: ${out}`);
      if (Date.now() > deadline) throw new Error(`kubesim dashboard printed no address: ${out}`);
      await sleep(50);
    }
    this.dashboardUrl = /(http:\/\/127\.0\.0\.1:\d+\/dashboard\/#token=\S+)/.exec(out)![1];
    this.url = /a proxy to the cluster's API at (https:\/\/\S+);/.exec(out)?.[1] ?? assert.fail(out);
  }

  /** Stops `kubesim dashboard` (Ctrl-C: the page's connections are cut), runs `meanwhile`, and starts it again on the same port. */
  async restartDashboard(meanwhile: () => Promise<void>): Promise<void> {
    const port = new URL(this.dashboardUrl).port;
    await this.stopDashboard();
    try {
      await meanwhile();
    } finally {
      await this.runDashboard(['--port', port]);
    }
  }

  private readonly stoppedDash = new WeakSet<object>();

  private async stopDashboard(): Promise<void> {
    const d = this.dash;
    if (d) this.stoppedDash.add(d);
    if (d && d.exitCode === null) {
      const exited = new Promise((r) => d.once('exit', r));
      d.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      if (d.exitCode === null) d.kill('SIGKILL');
    }
  }

  daemonLog(): string {
    const log = join(this.home, 'clusters', this.name, 'daemon.log');
    return existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : '';
  }

  /** Follows a watch on the API (as the admin) and reports each event's type and object name; returns a stopper. */
  watch(path: string, on: (type: string, name: string) => void): () => void {
    const u = new URL(`${path}${path.includes('?') ? '&' : '?'}watch=1`, this.url);
    const req = https.request(u, { ca: this.pki('ca.crt'), cert: this.pki('admin.crt'), key: this.pki('admin.key') }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) {
            const e = JSON.parse(line);
            on(e.type, e.object?.metadata?.name);
          }
        }
      });
      res.on('error', () => {});
    });
    req.on('error', () => {});
    req.end();
    return () => req.destroy();
  }

  async stopAll(): Promise<void> {
    await this.stopDashboard();
    // The daemon may be in the middle of a clock advance: `cluster stop` waits for it (and
    // kills it if it takes too long) before the state directory is removed.
    const stopped = this.kubesim(['cluster', 'stop', this.name]);
    // `cluster stop` returns once the daemon has given up its pid file; the process itself ends just after.
    const daemons = () => spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(`__daemon ${this.home}`));
    const deadline = Date.now() + 5000;
    while (daemons().length && Date.now() < deadline) await sleep(100);
    const stray = daemons();
    for (const l of stray) process.kill(Number(l.trim().split(/\s+/)[0]), 'SIGKILL');
    this.strayDaemons = stray.length ? `${stray.join('\n')}\n(cluster stop: ${stopped.code} ${stopped.stdout}${stopped.stderr})` : '';
    await this.stop();
  }

  strayDaemons = '';

  /** A page on the dashboard, recording console errors and uncaught exceptions. */
  async open(browser: Browser, viewport = { width: 1400, height: 1000 }): Promise<Page> {
    const page = await browser.newPage({ viewport });
    page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(`${m.text()} ${JSON.stringify(m.location())}`);
    });
    page.on('pageerror', (e) => this.consoleErrors.push(`uncaught: ${e.message}`));
    const seen: PageTraffic = { sockets: [], requests: [] };
    traffic.set(page, seen);
    page.on('websocket', (ws) => seen.sockets.push(ws.url()));
    page.on('request', (r) => seen.requests.push(`${r.method()} ${r.url()}`));
    await page.goto(this.dashboardUrl);
    return page;
  }
}

/** What a page opened by `open` asked for: its WebSockets' and its requests' URLs ("GET http://..."). */
export interface PageTraffic {
  sockets: string[];
  requests: string[];
}
const traffic = new WeakMap<Page, PageTraffic>();
export const trafficOf = (page: Page): PageTraffic => traffic.get(page) ?? assert.fail('a page opened by DashboardCluster.open');

export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

/** Unexpected exits of `kubesim dashboard` processes, reported by `until` when it times out. */
const dashboardExits: string[] = [];

/** Polls `fn` until it returns a truthy value or the deadline passes (then fails with `what`). */
export async function until<T>(what: string | (() => string), fn: () => Promise<T | false | undefined | null>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}${dashboardExits.length ? `\n${dashboardExits.join('\n')}` : ''}`);
    await sleep(everyMs);
  }
}
