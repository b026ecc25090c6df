/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The dashboard page: reads the token it was opened with (#token=..., then kept in
// sessionStorage and taken out of the address bar), lists and watches the cluster through
// the REST API, and draws the picture once per animation frame from what changed.

import { Client, type K8sObject, type WatchEvent } from './client';
import { holdsRoom, Model, ownerOf, WATCHED, type Dirty, type Kind } from './model';
import { deploySectionHtml, esc, eventsHtml, patchBlock, pendingHtml, shelfHead, shownDeploys, shelfHtml, sortedEvents, viewOf, type Filter } from './picture';
import { parseLabelSelector, matchesLabels } from '../../api/selectors';
import { Panels } from './panels';
import { keepFocus, LazySections } from './lazy';

const PATHS: Record<Kind, string> = {
  nodes: '/api/v1/nodes',
  pods: '/api/v1/pods',
  replicasets: '/apis/apps/v1/replicasets',
  deployments: '/apis/apps/v1/deployments',
  events: '/api/v1/events',
  namespaces: '/api/v1/namespaces',
};

/** What the kubesim endpoint says of the clock (`GET /kubesim/v1/clock`, each line of its watch). */
interface ClockState {
  now: string;
  nowMs: number;
  speed: number;
  paused: boolean;
  /** Powered-off nodes (in the watch's lines). */
  stopped?: Record<string, number>;
}

/** A frame is quiet when no watch event came in the last QUIET_MS; drawing waits for one at most MAX_DEFER_MS. */
const QUIET_MS = 12;
const MAX_DEFER_MS = 250;

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

function takeToken(): string {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem('kubesim-token', decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem('kubesim-token') ?? '';
}

export class App {
  readonly model = new Model();
  readonly client: Client;
  readonly panels: Panels;
  filter: Filter = { namespace: '', matches: () => true };
  /** Cluster time: the server's answer and the real time it came, moved on at the clock's speed. */
  clock = { at: 0, nowMs: Date.now(), speed: 1 };
  stopped: Record<string, number> = {};
  private readonly shelves: LazySections;
  private readonly deploys: LazySections;
  private frame = 0;
  /** When the last watch event was fed, and since when something waits to be drawn. */
  private lastEventAt = -Infinity;
  private dirtySince?: number;
  private readonly drawnWaiters: Array<() => void> = [];
  private lastSpeed = 1;

  constructor(token: string) {
    this.client = new Client(token);
    this.panels = new Panels(this);
    this.shelves = new LazySections(
      $('shelves'),
      'data-shelf',
      (n) => `<section class="shelf" data-shelf="${esc(n)}" aria-label="node ${esc(n)}"><h3>${esc(n)}</h3><p class="empty">…</p></section>`,
      (n) => shelfHtml(this.model, n, this.filter, this.now(), this.stopped),
      (el) => this.indexBlocks(el),
    );
    this.deploys = new LazySections(
      $('rollout-list'),
      'data-deploy',
      (k) => `<section class="deploy" data-deploy="${esc(k)}" aria-label="deployment ${esc(k)}"><h3>${esc(k)}</h3></section>`,
      (k) => deploySectionHtml(this.model, k, this.filter, this.now()),
    );
  }

  now(): number {
    return this.clock.nowMs + (performance.now() - this.clock.at) * this.clock.speed;
  }

  status(msg: string, error = false): void {
    const el = $('status');
    el.textContent = msg;
    el.className = error ? 'error' : '';
  }

  /**
   * Draws what changed, in a frame with no watch event since the one before: while a burst
   * streams in (a message per event), each frame would pay style, layout and paint of a big
   * page for a few events, so drawing waits for a quiet frame, or at most MAX_DEFER_MS.
   * A lone change is drawn within two frames.
   */
  schedule(): void {
    if (this.frame) return;
    this.dirtySince ??= performance.now();
    this.frame = requestAnimationFrame(() => this.drawFrame());
  }

  private drawFrame(): void {
    this.frame = 0;
    const now = performance.now();
    if (now - this.lastEventAt < QUIET_MS && now - this.dirtySince! < MAX_DEFER_MS) {
      this.frame = requestAnimationFrame(() => this.drawFrame());
      return;
    }
    this.dirtySince = undefined;
    this.render();
    for (const f of this.drawnWaiters.splice(0)) f();
  }

  /** Resolves once what has been fed so far is drawn (the bench's and tests' end mark). */
  drawn(): Promise<void> {
    if (!this.frame) return Promise.resolve();
    return new Promise((r) => this.drawnWaiters.push(r));
  }

  /** Applies watch events (the page's own update path; the bench feeds it too). */
  feed(kind: Kind, events: WatchEvent[]): void {
    this.lastEventAt = performance.now();
    for (const e of events) this.model.apply(kind, e);
    this.schedule();
  }

  load(kind: Kind, items: K8sObject[]): void {
    this.model.load(kind, items);
    this.schedule();
  }

  render(): void {
    const d = this.model.takeDirty();
    const now = this.now();
    // Profiling hook: with window.__prof = {} the time of each part is added up there.
    const prof = (window as any).__prof as Record<string, number> | undefined;
    let t = performance.now();
    const lap = (name: string) => {
      if (!prof) return;
      const n = performance.now();
      prof[name] = (prof[name] ?? 0) + n - t;
      t = n;
    };
    if (d.all) {
      this.podEls.clear();
      this.shelves.reset([...this.model.objects.nodes.keys()].sort(), '<p class="empty">No nodes.</p>');
      lap('shelves');
    } else {
      const heads = this.patchPods(d, now);
      lap('pod-patch');
      this.shelves.redraw(d.shelves);
      for (const n of heads) {
        const head = d.shelves.has(n) || !this.shelves.drawn.has(n) ? undefined : this.shelves.els.get(n)?.querySelector('.shead');
        if (head) head.innerHTML = shelfHead(this.model, n, this.now(), this.stopped);
      }
      lap('shelf-update');
    }
    if (d.all || d.shelves.size || d.pending) {
      let shown = this.model.objects.pods.size;
      if (this.filter.namespace || this.filtered) {
        shown = 0;
        for (const p of this.model.objects.pods.values()) if (this.isVisible(p)) shown++;
      }
      $('counts').textContent = `(${this.model.objects.nodes.size} nodes, ${shown} pods shown)`;
    }
    lap('counts');
    if (d.all || d.pending) keepFocus($('pending-list'), () => ($('pending-list').innerHTML = pendingHtml(this.model, this.filter, now)));
    lap('pending');
    if (d.all || d.rollouts) this.deploys.reset(shownDeploys(this.model, this.filter), '<p class="empty">No Deployments.</p>');
    else if (d.deploys.size) this.deploys.redraw(d.deploys);
    lap('rollouts');
    if (d.all || d.events) $('event-list').innerHTML = eventsHtml(sortedEvents(this.model, this.filter, 200));
    lap('events');
    if (d.all || d.namespaces) this.renderNamespaces();
    if (d.detail || d.all) this.panels.refresh();
  }

  private podEls = new Map<string, HTMLElement>();
  /** A label selector is set. */
  private filtered = false;

  private indexBlocks(root: HTMLElement): void {
    for (const b of root.querySelectorAll<HTMLElement>('[data-pod]')) this.podEls.set(b.dataset.pod!, b);
  }

  /**
   * Pods that changed on the same shelf: their blocks updated in place (no HTML parsed);
   * a block whose group or visibility changed sends its shelf to be redrawn. Returns the
   * shelves whose room changed.
   */
  private patchPods(d: Dirty, now: number): Set<string> {
    const heads = new Set<string>();
    for (const [key, old] of d.podChanges) {
      const pod = this.model.objects.pods.get(key);
      const node = String(pod?.spec?.nodeName ?? '');
      // A shelf not drawn yet is drawn from the model when it comes into view.
      if (!pod || !node || d.shelves.has(node) || !this.shelves.drawn.has(node)) continue;
      const was = viewOf(old, now);
      const v = viewOf(pod, now);
      if (was.cpu !== v.cpu || was.memory !== v.memory || holdsRoom(old) !== holdsRoom(pod)) heads.add(node);
      const shown = this.isVisible(pod);
      if (shown !== this.isVisible(old) || ownerOf(old)?.name !== ownerOf(pod)?.name) {
        d.shelves.add(node);
        continue;
      }
      if (!shown) continue;
      const el = this.podEls.get(key);
      if (!el || !el.isConnected || el.dataset.pod !== key) {
        d.shelves.add(node);
        continue;
      }
      patchBlock(el, v);
    }
    return heads;
  }

  private isVisible(p: K8sObject): boolean {
    return (!this.filter.namespace || p.metadata.namespace === this.filter.namespace) && this.filter.matches(p.metadata.labels);
  }

  private renderNamespaces(): void {
    const sel = $<HTMLSelectElement>('ns-filter');
    const names = [...this.model.objects.namespaces.keys()].sort();
    const want = ['', ...names];
    const have = [...sel.options].map((o) => o.value);
    if (want.join('\n') === have.join('\n')) return;
    const cur = sel.value;
    sel.replaceChildren(...want.map((n) => new Option(n || 'all namespaces', n)));
    sel.value = want.includes(cur) ? cur : '';
  }

  /** Shows the clock's state (and which nodes are powered off) as the kubesim endpoint reports it. */
  showClock(c: ClockState): void {
    this.clock = { at: performance.now(), nowMs: c.nowMs, speed: c.speed };
    if (c.speed > 0) this.lastSpeed = c.speed;
    $('clock-pause').textContent = c.paused ? 'Resume' : 'Pause';
    $('clock-pause').setAttribute('aria-pressed', String(!!c.paused));
    $('clock-speed').textContent = c.paused ? '(paused)' : `(speed ${c.speed}×)`;
    const sel = $<HTMLSelectElement>('clock-speed-select');
    if ([...sel.options].some((o) => Number(o.value) === c.speed)) sel.value = String(c.speed);
    const stopped = c.stopped ?? this.stopped;
    if (JSON.stringify(stopped) !== JSON.stringify(this.stopped)) {
      this.stopped = stopped;
      this.model.dirty.all = true;
      this.schedule();
    }
  }

  private tickClock(): void {
    const text = new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    // Only when it changed: writing it dirties layout (and a big page's frame costs).
    const el = $('clock-now');
    if (el.textContent !== text) el.textContent = text;
  }

  async clockAction(path: string, body: unknown, what: string): Promise<void> {
    try {
      const c = await this.client.json<ClockState>('POST', path, body);
      this.showClock(c);
      this.status(`${what}: cluster time is now ${c.now}`);
    } catch (e) {
      this.status(`${what} failed: ${(e as Error).message}`, true);
    }
  }

  private wire(): void {
    document.addEventListener('click', (ev) => {
      const t = ev.target as HTMLElement;
      const pod = t.closest<HTMLElement>('[data-pod]');
      if (pod) return void this.panels.openPod(pod.dataset.pod!);
      const node = t.closest<HTMLElement>('[data-node]');
      if (node) return void this.panels.openNode(node.dataset.node!);
      const adv = t.closest<HTMLElement>('[data-advance]');
      if (adv) return void this.clockAction('/kubesim/v1/clock/advance', { duration: adv.dataset.advance }, `advance ${adv.dataset.advance}`);
    });
    $('clock-pause').addEventListener('click', () => {
      const paused = this.clock.speed === 0;
      void this.clockAction('/kubesim/v1/clock/speed', { speed: paused ? this.lastSpeed : 0 }, paused ? 'resume' : 'pause');
    });
    $<HTMLSelectElement>('clock-speed-select').addEventListener('change', (ev) => {
      const v = Number((ev.target as HTMLSelectElement).value);
      void this.clockAction('/kubesim/v1/clock/speed', { speed: v }, `speed ${v}×`);
    });
    $<HTMLSelectElement>('ns-filter').addEventListener('change', (ev) => {
      this.filter = { ...this.filter, namespace: (ev.target as HTMLSelectElement).value };
      this.model.dirty.all = true;
      this.schedule();
    });
    $('filters').addEventListener('submit', (ev) => ev.preventDefault());
    $<HTMLInputElement>('label-filter').addEventListener('input', (ev) => {
      const text = (ev.target as HTMLInputElement).value.trim();
      try {
        const sel = parseLabelSelector(text);
        this.filter = { ...this.filter, matches: text ? (labels) => matchesLabels(sel, labels) : () => true };
        this.filtered = !!text;
        $('filter-error').textContent = '';
        (ev.target as HTMLInputElement).removeAttribute('aria-invalid');
      } catch (e) {
        $('filter-error').textContent = `invalid selector: ${(e as Error).message}`;
        (ev.target as HTMLInputElement).setAttribute('aria-invalid', 'true');
        return;
      }
      this.model.dirty.all = true;
      this.schedule();
    });
    document.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.panels.close();
    });
    this.panels.wireApply();
  }

  /** Lists and watches every kind, keeps the clock, ticks the display. */
  start(live: boolean): void {
    this.wire();
    setInterval(() => this.tickClock(), 250);
    if (!live) return;
    const abort = new AbortController();
    // What is not live: shown until its watch (or the clock's) is connected again.
    const failed = new Map<string, string>();
    const problem = (what: string, e?: unknown) => {
      if (e === undefined) failed.delete(what);
      else failed.set(what, `watching ${what}: ${(e as Error).message}`);
      this.status([...failed.values()].join('; '), failed.size > 0);
    };
    for (const kind of WATCHED) {
      let listed = false;
      void this.client.listWatch(
        PATHS[kind],
        {
          // The first list draws everything; a relist (after 410 Gone) changes what differs.
          list: (items) => {
            if (listed) this.model.sync(kind, items);
            else this.model.load(kind, items);
            listed = true;
            this.schedule();
          },
          event: (e) => this.feed(kind, [e]),
          live: () => problem(kind),
          error: (e) => problem(kind, e),
        },
        abort.signal,
      );
    }
    // The clock and the powered-off nodes: pushed by the kubesim endpoint when they change.
    void this.client.keep(abort.signal, (e) => problem('the clock', e), async (connected) => {
      await this.client.watchSocket('/kubesim/v1/clock?watch=1', (c) => this.showClock(c as unknown as ClockState), () => {
        connected();
        problem('the clock');
      }, abort.signal);
    });
  }
}

declare global {
  interface Window {
    kubesimDashboard?: App;
  }
}

const token = takeToken();
const app = new App(token);
window.kubesimDashboard = app;
// #bench: the page without a cluster, fed by the benchmark through the same update path.
const benchMode = new URLSearchParams(location.search).has('bench');
if (!token && !benchMode) app.status('No token: open the address `kubesim dashboard` prints (it ends in #token=...).', true);
app.start(!benchMode && !!token);
