/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Sections drawn when they come near the window: every section exists at once (a shell with
// its title), but its contents are drawn the first time it is within a window's height of
// the view, and redrawn on change only once drawn. 1,000 shelves cost what the ~20 on screen
// cost; find-in-page sees only drawn ones.

/** The browser reports when a `content-visibility: auto` element stops being skipped. */
const CV_EVENTS = typeof window !== 'undefined' && 'oncontentvisibilityautostatechange' in window;

/** A selector for the pod or node block `el` is (its data-pod / data-node), undefined for anything else. */
export function blockSelector(el: HTMLElement): string | undefined {
  for (const attr of ['pod', 'node'] as const) {
    const v = el.dataset[attr];
    if (v !== undefined) return `[data-${attr}="${CSS.escape(v)}"]`;
  }
  return undefined;
}

/**
 * Runs `redraw` (which replaces what `container` holds); a pod or node block that had the
 * focus in it gives the focus to the block drawn in its place, not to the page's body.
 */
export function keepFocus(container: HTMLElement, redraw: () => void): void {
  const active = document.activeElement as HTMLElement | null;
  const focused = active && container.contains(active) ? blockSelector(active) : undefined;
  redraw();
  if (focused && !container.contains(document.activeElement)) container.querySelector<HTMLElement>(focused)?.focus({ preventScroll: true });
}

export class LazySections {
  readonly els = new Map<string, HTMLElement>();
  readonly drawn = new Set<string>();
  private io?: IntersectionObserver;

  constructor(
    private readonly container: HTMLElement,
    private readonly attr: string,
    private readonly shell: (key: string) => string,
    private readonly inner: (key: string) => string,
    private readonly onDrawn: (el: HTMLElement) => void = () => {},
  ) {
    if (CV_EVENTS) container.addEventListener('contentvisibilityautostatechange', this.onState, true); // capture: it does not bubble
  }

  /** Rebuilds every shell (contents drawn now for those in or near view). */
  reset(keys: string[], empty: string): void {
    this.io?.disconnect();
    // A relist redraws everything: the focused block's successor keeps the focus, as in fill.
    keepFocus(this.container, () => this.redrawAll(keys, empty));
  }

  private redrawAll(keys: string[], empty: string): void {
    this.container.innerHTML = keys.length ? keys.map(this.shell).join('') : empty;
    this.els.clear();
    this.drawn.clear();
    for (const el of this.container.querySelectorAll<HTMLElement>(`[${this.attr}]`)) this.els.set(el.getAttribute(this.attr)!, el);
    // What is in view is drawn before the first paint, not a frame later.
    const h = window.innerHeight || 1000;
    const near: string[] = [];
    for (const [k, el] of this.els) {
      const r = el.getBoundingClientRect();
      if (r.bottom >= -h && r.top <= 2 * h) near.push(k);
    }
    this.fill(near);
    if (CV_EVENTS) return;
    this.io = new IntersectionObserver((entries) => {
      const keys = entries.filter((e) => e.isIntersecting).map((e) => (e.target as HTMLElement).getAttribute(this.attr)!).filter((k) => !this.drawn.has(k));
      this.fill(keys);
    }, { rootMargin: '100% 0px' });
    for (const el of this.els.values()) this.io.observe(el);
  }

  /**
   * Where the browser says (sections are `content-visibility: auto`) when a section comes
   * near the view, that is the signal: an IntersectionObserver of its own over 1,000
   * sections would be recomputed on every frame that changes layout (~10 ms a frame).
   */
  private onState = (ev: Event): void => {
    const el = (ev.target as HTMLElement).closest?.(`[${this.attr}]`);
    const k = el?.getAttribute(this.attr);
    if (k && !(ev as Event & { skipped: boolean }).skipped && !this.drawn.has(k) && this.els.get(k) === el) this.fill([k]);
  };

  /** Redraws the drawn ones among `keys` (one parse for all of them). */
  redraw(keys: Iterable<string>): void {
    this.fill([...keys].filter((k) => this.drawn.has(k)));
  }

  private fill(keys: string[]): void {
    if (!keys.length) return;
    const t = document.createElement('template');
    t.innerHTML = keys.map((k) => `<div>${this.inner(k)}</div>`).join('');
    const parts = [...t.content.children];
    keys.forEach((k, i) => {
      const el = this.els.get(k);
      if (!el) return;
      // A keyboard user's focus on a block stays on it when its section is redrawn (a watch event).
      keepFocus(el, () => el.replaceChildren(...parts[i].childNodes));
      this.drawn.add(k);
      this.onDrawn(el);
    });
  }
}
