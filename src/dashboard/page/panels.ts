/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The detail panel (a pod: its trace, events, logs followed, YAML; a node: conditions,
// taints, pods and the stop/start/cordon/drain buttons) and the apply form (validation as
// `kubesim validate` reports it, at its lines; then a server-side apply per object).

import type { App } from './main';
import { ApiError, type K8sObject } from './client';
import { esc, eventsHtml, sortedEvents, family, restartsOf } from './picture';
import { podStatus } from '../../printers/columns/pods';
import { ownerOf } from './model';
import { blockSelector } from './lazy';

type Tab = { id: string; label: string; render: (body: HTMLElement, signal: AbortSignal) => void | Promise<void> };

const $ = (id: string): HTMLElement => document.getElementById(id)!;

export class Panels {
  private current?: { kind: 'pods' | 'nodes'; key: string; tab: string };
  private abort?: AbortController;
  private opener?: HTMLElement;
  /** The last node action's result, shown until the panel is opened again (redraws keep it). */
  private actResult = { node: '', text: '' };
  private actionsHtml: string | undefined;

  constructor(private readonly app: App) {}

  close(): void {
    if (!this.current) return;
    this.abort?.abort();
    this.current = undefined;
    this.app.model.detailKey = undefined;
    $('detail').hidden = true;
    this.openerElement()?.focus();
  }

  /** The block that opened the panel, or the one drawn in its place since (a watch event redraws it). */
  private openerElement(): HTMLElement | undefined {
    const o = this.opener;
    if (!o || o.isConnected) return o;
    const sel = blockSelector(o);
    return sel ? document.querySelector<HTMLElement>(sel) ?? undefined : undefined;
  }

  openPod(key: string): void {
    this.open('pods', key, 'trace');
  }

  openNode(name: string): void {
    this.open('nodes', name, 'node');
  }

  private open(kind: 'pods' | 'nodes', key: string, tab: string): void {
    this.opener = document.activeElement as HTMLElement;
    this.current = { kind, key, tab };
    this.actResult = { node: '', text: '' };
    this.app.model.detailKey = { kind, key };
    $('detail').hidden = false;
    this.draw(true);
    $('detail-close').focus();
  }

  /** Redraws after a change to the object shown (logs keep following: only live tabs redraw). */
  refresh(): void {
    if (!this.current) return;
    if (this.current.tab === 'events' || this.current.tab === 'node') this.draw(false);
    else this.drawHead();
  }

  private tabs(): Tab[] {
    const c = this.current!;
    if (c.kind === 'nodes') return [{ id: 'node', label: 'Node', render: (b) => this.nodeBody(b) }];
    return [
      { id: 'trace', label: 'Path (trace)', render: (b, s) => this.traceBody(b, s) },
      { id: 'events', label: 'Events', render: (b) => this.eventsBody(b) },
      { id: 'logs', label: 'Logs', render: (b, s) => this.logsBody(b, s) },
      { id: 'yaml', label: 'YAML', render: (b, s) => this.yamlBody(b, s) },
    ];
  }

  private drawHead(): void {
    const c = this.current!;
    const obj = this.app.model.objects[c.kind].get(c.key);
    if (c.kind === 'pods') {
      const s = obj ? podStatus(obj as any, this.app.now()) : undefined;
      $('detail-h').textContent = `Pod ${c.key}${s ? `: ${s.status}${restartsOf(s.restarts) ? `, ${restartsOf(s.restarts)} restarts` : ''}` : ' (gone)'}`;
      this.setActions('');
    } else {
      $('detail-h').textContent = `Node ${c.key}${obj ? '' : ' (gone)'}`;
      const stopped = this.app.stopped[c.key] !== undefined;
      const cordoned = obj?.spec?.unschedulable === true;
      this.setActions(`<button type="button" data-act="${stopped ? 'start' : 'stop'}">${stopped ? 'Start (power on)' : 'Stop (power off)'}</button> <button type="button" data-act="${cordoned ? 'uncordon' : 'cordon'}">${cordoned ? 'Uncordon' : 'Cordon'}</button> <button type="button" data-act="drain">Drain</button> <span id="node-act-result" role="status">${this.actResult.node === c.key ? esc(this.actResult.text) : ''}</span>`);
    }
  }

  /**
   * The panel is drawn again at every watch event of what it shows: its buttons are replaced
   * only when they change, or a click pressed while a pod on the node changes status lands on
   * a button that is gone and is lost.
   */
  private setActions(html: string): void {
    if (html === this.actionsHtml) return;
    this.actionsHtml = html;
    $('detail-actions').innerHTML = html;
  }

  private draw(reset: boolean): void {
    const c = this.current!;
    this.drawHead();
    const tabs = this.tabs();
    const tabBox = $('detail-tabs');
    tabBox.innerHTML = tabs.length > 1 ? tabs.map((t) => `<button type="button" role="tab" data-tab="${t.id}" aria-selected="${t.id === c.tab}">${esc(t.label)}</button>`).join('') : '';
    for (const b of tabBox.querySelectorAll<HTMLElement>('[data-tab]')) {
      b.onclick = () => {
        this.current!.tab = b.dataset.tab!;
        this.draw(true);
      };
    }
    for (const b of $('detail-actions').querySelectorAll<HTMLElement>('[data-act]')) b.onclick = () => void this.nodeAction(b.dataset.act!);
    if (reset) {
      this.abort?.abort();
      this.abort = new AbortController();
    }
    const tab = tabs.find((t) => t.id === c.tab) ?? tabs[0];
    void Promise.resolve(tab.render($('detail-body'), this.abort!.signal)).catch((e) => {
      if (!this.abort?.signal.aborted) $('detail-body').innerHTML = `<p class="error">${esc((e as Error).message)}</p>`;
    });
  }

  private podPath(key: string, sub = ''): string {
    const [ns, name] = key.split('/');
    return `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}${sub}`;
  }

  private async traceBody(body: HTMLElement, signal: AbortSignal): Promise<void> {
    const [ns, name] = this.current!.key.split('/');
    body.innerHTML = '<p>Loading the trace…</p>';
    const r = await this.app.client.json('GET', `/kubesim/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}/trace`);
    if (signal.aborted) return;
    const steps = (r.trace.steps as any[])
      .map((s) => `<li class="${s.warning ? 'warn' : ''}"><time>${esc(s.time)}</time> ${s.warning ? '<span class="etype">⚠</span> ' : ''}${esc(s.what)}${s.details?.length ? `<ul>${s.details.map((d: string) => `<li>${esc(d)}</li>`).join('')}</ul>` : ''}</li>`)
      .join('');
    const stuck = r.trace.stuck?.length ? `<h3>Why it is not Running and Ready</h3><ul>${r.trace.stuck.map((s: string) => `<li>${esc(s)}</li>`).join('')}</ul>` : '';
    body.innerHTML = `<ol class="trace">${steps}</ol>${stuck}<details><summary>As <code>kubesim trace pod</code> prints it</summary><pre>${esc(r.text)}</pre></details>`;
  }

  private eventsBody(body: HTMLElement): void {
    const c = this.current!;
    const [ns, name] = c.key.split('/');
    const pod = this.app.model.objects.pods.get(c.key);
    const uids = new Set([pod?.metadata.uid, ownerOf(pod ?? ({ metadata: {} } as K8sObject))?.uid].filter(Boolean));
    body.innerHTML = eventsHtml(sortedEvents(this.app.model, { namespace: ns }, 100, (e) => uids.has(e.involvedObject?.uid) || (e.involvedObject?.kind === 'Pod' && e.involvedObject?.name === name)));
  }

  private async logsBody(body: HTMLElement, signal: AbortSignal): Promise<void> {
    const pod = this.app.model.objects.pods.get(this.current!.key);
    const containers: string[] = (pod?.spec?.containers ?? []).map((c: any) => c.name);
    const pick = containers.length > 1 ? `<label>Container <select id="log-container">${containers.map((c) => `<option>${esc(c)}</option>`).join('')}</select></label>` : '';
    body.innerHTML = `${pick}<pre class="logs" id="log-text" aria-live="off"></pre>`;
    const pre = body.querySelector('#log-text') as HTMLElement;
    const follow = async (container: string | undefined, sig: AbortSignal) => {
      pre.textContent = '';
      const q = `?follow=true&tailLines=1000${container ? `&container=${encodeURIComponent(container)}` : ''}`;
      try {
        await this.app.client.lines(this.podPath(this.current!.key, `/log${q}`), (line) => {
          pre.textContent += `${line}\n`;
          pre.scrollTop = pre.scrollHeight;
        }, sig, 'text/plain');
      } catch (e) {
        if (!sig.aborted) pre.textContent += `\n${e instanceof ApiError ? `Error from server (${e.reason || e.status}): ` : ''}${(e as Error).message}\n`;
      }
    };
    const sel = body.querySelector<HTMLSelectElement>('#log-container');
    let inner = new AbortController();
    signal.addEventListener('abort', () => inner.abort());
    sel?.addEventListener('change', () => {
      inner.abort();
      inner = new AbortController();
      void follow(sel.value, inner.signal);
    });
    await follow(containers.length > 1 ? containers[0] : undefined, inner.signal);
  }

  private async yamlBody(body: HTMLElement, signal: AbortSignal): Promise<void> {
    const text = await this.app.client.text(this.podPath(this.current!.key), 'application/yaml');
    if (!signal.aborted) body.innerHTML = `<pre class="yaml">${esc(text)}</pre>`;
  }

  private nodeBody(body: HTMLElement): void {
    const name = this.current!.key;
    const node = this.app.model.objects.nodes.get(name);
    if (!node) {
      body.innerHTML = '<p>This node is gone.</p>';
      return;
    }
    const conds = (node.status?.conditions ?? []) as any[];
    const taints = (node.spec?.taints ?? []) as any[];
    const pods = [...(this.app.model.podsByPlace.get(name) ?? [])].map((k) => this.app.model.objects.pods.get(k)!).filter(Boolean);
    const now = this.app.now();
    body.innerHTML = `<h3>Conditions</h3><table><thead><tr><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Message</th></tr></thead><tbody>${conds
      .map((c) => `<tr><td>${esc(c.type)}</td><td>${esc(c.status)}</td><td>${esc(c.reason)}</td><td>${esc(c.message)}</td></tr>`)
      .join('')}</tbody></table>
<h3>Taints</h3>${taints.length ? `<ul>${taints.map((t) => `<li><code>${esc(t.key)}${t.value ? `=${esc(t.value)}` : ''}:${esc(t.effect)}</code></li>`).join('')}</ul>` : '<p>&lt;none&gt;</p>'}
<h3>Pods (${pods.length})</h3><ul class="nodepods">${pods
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))
      .map((p) => {
        const s = podStatus(p as any, now).status;
        return `<li><button type="button" data-pod="${esc(`${p.metadata.namespace}/${p.metadata.name}`)}">${esc(p.metadata.namespace)}/${esc(p.metadata.name)}</button> <span class="chip ${family(s).cls}">${esc(s)}</span></li>`;
      })
      .join('')}</ul>`;
  }

  private async nodeAction(act: string): Promise<void> {
    const name = this.current!.key;
    let said = '';
    const out = (msg: string) => (said = msg);
    const c = this.app.client;
    const nodePath = `/api/v1/nodes/${encodeURIComponent(name)}`;
    const cordon = (on: boolean) => c.json('PATCH', nodePath, { spec: { unschedulable: on ? true : null } }, 'application/strategic-merge-patch+json');
    try {
      if (act === 'stop' || act === 'start') {
        await c.json('POST', `/kubesim/v1/nodes/${encodeURIComponent(name)}/${act}`, {});
        out(`node/${name} ${act === 'stop' ? 'stopped' : 'started'}`);
      } else if (act === 'cordon' || act === 'uncordon') {
        await cordon(act === 'cordon');
        out(`node/${name} ${act}ed`);
      } else if (act === 'drain') {
        // As `kubectl drain --ignore-daemonsets`: cordon, then evict every other pod; a pod
        // no controller would recreate stops the drain before any eviction (kubectl's --force).
        await cordon(true);
        const lines = [`node/${name} cordoned`];
        const evict: K8sObject[] = [];
        const bare: string[] = [];
        for (const k of this.app.model.podsByPlace.get(name) ?? []) {
          const p = this.app.model.objects.pods.get(k);
          if (!p || ownerOf(p)?.kind === 'DaemonSet' || p.metadata.annotations?.['kubernetes.io/config.mirror']) continue;
          if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
          if (!(p.metadata.ownerReferences ?? []).some((r: any) => r?.controller)) bare.push(k);
          else evict.push(p);
        }
        if (bare.length) {
          const why = `cannot delete Pods that declare no controller (use --force to override): ${bare.join(', ')}`;
          out(`${lines[0]}; error: unable to drain node "${name}" due to error: ${why}`);
        } else {
          // All at once, as kubectl evicts (a goroutine per pod).
          const results = await Promise.all(
            evict.map(async (p) => {
              const ns = p.metadata.namespace!;
              try {
                await c.json('POST', `${this.podPath(`${ns}/${p.metadata.name}`)}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: p.metadata.name, namespace: ns } });
                return `pod/${p.metadata.name} evicted`;
              } catch (e) {
                return `error when evicting pods/"${p.metadata.name}" -n "${ns}": ${(e as Error).message}`;
              }
            }),
          );
          lines.push(...results);
          lines.push(`node/${name} drained`);
          out(lines.join('; '));
        }
      }
    } catch (e) {
      out(`${act} failed: ${(e as Error).message}`);
    }
    this.actResult = { node: name, text: said };
    this.app.status(said);
    this.draw(false);
  }

  wireApply(): void {
    const text = $('apply-text') as HTMLTextAreaElement;
    const file = $('apply-file') as HTMLInputElement;
    const load = async (f: File | undefined) => {
      if (f) text.value = await f.text();
    };
    file.addEventListener('change', () => void load(file.files?.[0]));
    text.addEventListener('dragover', (e) => e.preventDefault());
    text.addEventListener('drop', (e) => {
      e.preventDefault();
      void load(e.dataTransfer?.files?.[0]);
    });
    $('apply-btn').addEventListener('click', () => void this.apply(text.value));
  }

  async apply(manifest: string): Promise<void> {
    const out = $('apply-result');
    const ns = this.app.filter.namespace || 'default';
    out.innerHTML = '<p>Validating…</p>';
    try {
      const res = await this.app.client.request('POST', `/kubesim/v1/validate?namespace=${encodeURIComponent(ns)}`, { body: manifest, contentType: 'application/yaml' });
      const v = await res.json();
      if (!v.valid) {
        out.innerHTML = `<p class="error">✖ Not applied: the manifest has errors.</p>${this.annotated(manifest, v.results)}<details open><summary>As <code>kubesim validate</code> prints it</summary><pre class="vtext">${esc(v.text)}</pre></details>`;
        return;
      }
      const lines: string[] = [];
      for (const o of v.objects as Array<{ path: string; resource: string; name: string; object: K8sObject }>) {
        try {
          await this.app.client.request('PATCH', `${o.path}?fieldManager=kubesim-dashboard&force=true`, { body: JSON.stringify(o.object), contentType: 'application/apply-patch+yaml' });
          lines.push(`✓ ${o.resource}/${o.name} serverside-applied`);
        } catch (e) {
          lines.push(`✖ Error from server${e instanceof ApiError && e.reason ? ` (${e.reason})` : ''}: ${(e as Error).message}`);
        }
      }
      out.innerHTML = `<pre class="applied">${esc(lines.join('\n'))}</pre>`;
    } catch (e) {
      out.innerHTML = `<p class="error">✖ ${esc((e as Error).message)}</p>`;
    }
  }

  /** The manifest with line numbers, each finding under its line. */
  private annotated(manifest: string, results: any[]): string {
    const byLine = new Map<number, string[]>();
    const loose: string[] = [];
    for (const r of results) {
      for (const f of r.findings ?? []) {
        const msg = `${f.severity === 'warning' ? '⚠ warning' : '✖ error'}${f.field ? ` ${f.field}` : ''}: ${f.message}`;
        const line = f.line ?? r.line;
        if (line) byLine.set(line, [...(byLine.get(line) ?? []), `${f.col ? `col ${f.col}: ` : ''}${msg}`]);
        else loose.push(msg);
      }
    }
    const rows = manifest.split('\n').map((l, i) => {
      const n = i + 1;
      const notes = byLine.get(n);
      return `<li class="${notes ? 'bad' : ''}" value="${n}"><code>${esc(l) || ' '}</code>${notes ? notes.map((m) => `<span class="finding" role="note">line ${n}, ${esc(m)}</span>`).join('') : ''}</li>`;
    });
    return `${loose.length ? `<ul>${loose.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>` : ''}<ol class="listing" aria-label="the manifest, with the errors at their lines">${rows.join('')}</ol>`;
  }
}

