// The object files brought up to the journal's tail in bounded steps. The journal is the
// commit point; the files are its compaction (idempotent copies of each key's newest entry),
// and `rev` says up to which revision they are all in place. Written in one lock hold, a
// group's end with a large tail held the lock for its whole tail (14,127 files, 50 s on a
// loaded machine: issue #12). Now a release writes a small tail whole (COMPACT_SMALL keys at
// most), a larger one for a slice (Slice: SLICE_MS, of this process's CPU while nobody waits
// for the lock), and leaves the rest of the round to the next release, of this process or another:
// - a round starts at a group's end, at a release leaving a small tail, or while the journal
//   is half as large again as its limit (the trim keeps every line after `rev`); `upTo` is the
//   holder's revision then, and the round is every deferred key whose file lags since then
//   or before (PendingWrite.first), taken in key order a batch at a time: the round's keys
//   are picked and sorted once per round in this process (a pass over the whole tail at
//   every release took longer than the slice on a loaded machine -- 40-220 ms at 130,000
//   keys -- and each release then wrote one file: a settled daemon's round crawled at a
//   file a second, holding the whole tail parsed);
// - each file written holds the key's newest state, never older than at `upTo`, so once every
//   key of the round is done `rev` moves to `upTo` (what it always meant);
// - where a round stands (`rev` when it began, `upTo`, the last key done) is kept in the file
//   `compaction`, written only by lock holders like `rev`, so the next holder, whichever
//   process, goes on from there. A hint: absent, damaged or for another `rev`, a round starts
//   again (files written twice, never skipped).
// Every step is under the lock; a kill anywhere leaves `rev` true (it moves last).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PendingWrites } from './file-store-support';
import { readSmallFile } from './file-lock';
import { atomicWrite } from './file-store-files';
import { beatsSpan } from './lease-beats';

/** How long a release may spend writing deferred object files (past COMPACT_SMALL of them). */
const SLICE_MS = 50;
/**
 * While nobody waits for the lock, SLICE_MS is of this process's CPU, not of the wall clock:
 * on a loaded machine 50 ms of wall was a few ms of CPU, and a settled daemon's tail (every
 * key's newest state, parsed and held) drained at ~10 files a second. Bounded by this much
 * wall all the same: the holder's event loop (the daemon's answers) waits meanwhile.
 */
const SLICE_WALL_MAX_MS = 250;
/**
 * A round left owed by this process's last step gets, while nobody waits, this share of the
 * wall time since as its slice (CPU, and twice that of wall up to SLICE_DUTY_WALL_MS): a daemon releasing
 * every 3-4 s during a 5,000-node start wrote ~100 files a second in its 250-ms slices, and
 * its start's tail (130,000 keys at 20,000 pods) took tens of minutes (docs/perf-issue-18.md
 * round 121). Per release, a busy holder's long holds starved its own compaction.
 */
const SLICE_DUTY = 0.25;
const SLICE_DUTY_WALL_MS = 1000;
/** How often a slice taken while nobody waited looks whether someone does now (a stat of the lock's folder). */
const WAITER_LOOK_MS = 10;
/**
 * A tail of at most this many keys starts a round at any release and is written whole (a
 * few ms; so is a hold's bound in files): a larger one (a group's writes, handed over
 * mid-group to a waiting user) waits for its group's end or the journal's growth, so a
 * burst writes each object file once, not once per lock hold.
 */
export const COMPACT_SMALL = 256;
/** How many keys one pass over the tail picks (a pass is a few ms at 20,000 keys). */
const BATCH = 512;

/**
 * Whether a new round may wait for a later release. At rest the node Lease beats hold `rev`
 * back about a renewal period (lease-beats.ts), yet every release (2.5 a second at 5,000
 * nodes, one per tick's renewals) began a round for the few files due since (the phased Node
 * status posts, ~17 a second): a pass over every deferred key, a sort, the `rev` file. Like
 * etcd's compaction by revision count, a round waits while fewer than COMPACT_SMALL files are
 * due and `rev` (`committed`) lags the holder's revision by less than the beats' span: a round
 * then writes ~10 s of files, each once, and `rev` lags the journal by at most about twice
 * what the beats alone hold back (the trim keeps that tail). A stopped node's stale beat is
 * written by the round its lag starts. Without beats (no kubelets renewing) nothing waits.
 */
export function roundMayWait(pending: PendingWrites, committed: number, rev: number): boolean {
  const due = pending.filesDue;
  const beats = pending.size - due;
  return beats > 0 && due < COMPACT_SMALL && committed > rev - beatsSpan(beats);
}

/** What a lock holder lends the compaction at its release. */
export interface CompactionHolder {
  /** The holder's revision and `rev` as they are now (a step moves `rev`). */
  rev(): number;
  committed(): number;
  pending: PendingWrites;
  /** Writes the files of `keys` in order until the slice is over (one at least); how many were done, undefined on failure. */
  writeSlice(keys: string[], slice: Slice): number | undefined;
  /** Whether another process announced waiting for the lock. */
  othersWaiting(): boolean;
  /** Writes `rev` = `upTo` (every key's file is at least as new as at `upTo`), or just before the oldest beat the round left (lease-beats.ts). */
  advance(upTo: number): void;
}

/**
 * How long a release writes files. Unbounded for a small tail nobody waits behind; SLICE_MS of
 * wall once someone waits (their wait is wall time: issue #12's bound); else SLICE_MS of this
 * process's CPU (process.cpuUsage: a getrusage, ~1 µs, read between files of 50 µs or more), never less than
 * SLICE_MS of wall nor more than SLICE_WALL_MAX_MS, ended as soon as someone waits.
 */
export class Slice {
  private readonly wall0 = Date.now();
  private readonly cpu0: NodeJS.CpuUsage | undefined;
  private lookedAt = this.wall0;

  /** The CPU (ms) and wall (ms) this slice may take while nobody waits. */
  private readonly cpuMs: number;
  private readonly wallMaxMs: number;

  /** `sinceMs`: wall time since this process's last step ended (its share: SLICE_DUTY). */
  constructor(
    private readonly bounded: boolean,
    private waited: boolean,
    private readonly othersWaiting: () => boolean,
    sinceMs = 0,
  ) {
    if (bounded && !waited) this.cpu0 = process.cpuUsage();
    this.cpuMs = Math.max(SLICE_MS, Math.min(SLICE_DUTY * sinceMs, SLICE_DUTY_WALL_MS));
    this.wallMaxMs = Math.max(SLICE_WALL_MAX_MS, Math.min(2 * this.cpuMs, SLICE_DUTY_WALL_MS));
  }

  over(): boolean {
    if (!this.bounded) return false;
    const now = Date.now();
    const wall = now - this.wall0;
    if (wall < SLICE_MS) return false;
    if (this.waited || wall >= this.wallMaxMs) return true;
    const cpu = process.cpuUsage(this.cpu0);
    if ((cpu.user + cpu.system) / 1000 >= this.cpuMs) return true;
    if (now - this.lookedAt >= WAITER_LOOK_MS) {
      this.lookedAt = now;
      this.waited = this.othersWaiting();
    }
    return this.waited;
  }
}

interface Round {
  committed: number;
  upTo: number;
  /** Every key of the round up to this one (in key order) has its file written. */
  after: string;
}

export class Compaction {
  /** The round under way as this process left it (the `compaction` file says the same unless it could not be written). */
  private round: Round | undefined;
  /** The keys of the round (`committed`, `upTo`) in key order, as picked from the tail of `epoch`; `at`: the first not known done. */
  private order: { committed: number; upTo: number; epoch: number; keys: string[]; at: number } | undefined;
  private readonly file: string;
  /** When this process's last step ended leaving its round owed (Date.now()): the next slice's share is of the time since. */
  private lastStep: number | undefined;

  constructor(root: string) {
    this.file = path.join(root, 'compaction');
  }

  /**
   * Under the lock, at a release (the journal fsync'd): one bounded step. `start`: begin a
   * round when none is under way. `waited`: another process waits for the lock, so even a
   * small tail gets a slice only (256 files took 100-300 ms of a user's wait on a loaded
   * machine). False when a file could not be written (the journal still holds every entry;
   * the next holder tries again).
   */
  step(h: CompactionHolder, start: boolean, waited = false): boolean {
    const slice = new Slice(h.pending.filesDue > COMPACT_SMALL || waited, waited, () => h.othersWaiting(), this.lastStep === undefined ? 0 : Date.now() - this.lastStep);
    try {
      return this.stepIn(h, start, slice);
    } finally {
      this.lastStep = this.round ? Date.now() : undefined;
    }
  }

  private stepIn(h: CompactionHolder, start: boolean, slice: Slice): boolean {
    const saved = this.readSaved();
    let r = [saved, this.round].find((x) => x && x.committed === h.committed() && x.upTo >= x.committed && x.upTo <= h.rev());
    this.round = undefined;
    // A round up to where the last one ended has nothing to write (the beats it left, lease-beats.ts).
    let ended = -1;
    for (;;) {
      if (!r) {
        if (!start || h.pending.size === 0 || h.rev() <= ended || roundMayWait(h.pending, h.committed(), h.rev())) break;
        r = { committed: h.committed(), upTo: h.rev(), after: '' };
      }
      const keys = this.nextKeys(h.pending, r, BATCH);
      if (keys.length === 0) {
        h.advance(r.upTo);
        ended = r.upTo;
        r = undefined;
        this.order = undefined;
        // Writes since the round began are the next round's, if time is left.
        if (slice.over()) break;
        continue;
      }
      const next = h.writeSlice(keys, slice);
      if (next === undefined) return false;
      r.after = keys[next - 1];
      if (next < keys.length || slice.over()) {
        this.round = r;
        this.save(r);
        return true;
      }
    }
    if (saved) this.forget();
    return true;
  }

  /**
   * The round's next keys in key order: the `max` smallest deferred keys after `r.after` whose
   * file lags since `r.upTo` or before. The round's keys are taken from the tail and sorted
   * once (a key deferred later lags since after `upTo`: the set only shrinks, until the tail is
   * read again), then each step goes on from where the last one stopped.
   */
  private nextKeys(pending: PendingWrites, r: Round, max: number): string[] {
    if (pending.nothingDue(r.upTo)) return []; // at rest: only beats, none due
    let o = this.order;
    if (!o || o.committed !== r.committed || o.upTo !== r.upTo || o.epoch !== pending.epoch || (o.at > 0 && r.after < o.keys[o.at - 1])) {
      const keys: string[] = [];
      for (const [key, first] of pending.firsts()) if (first <= r.upTo && key > r.after && !pending.skips(key, r.upTo)) keys.push(key);
      keys.sort();
      o = this.order = { committed: r.committed, upTo: r.upTo, epoch: pending.epoch, keys, at: 0 };
    }
    const out: string[] = [];
    for (let i = o.at; i < o.keys.length && out.length < max; i++) {
      const key = o.keys[i];
      if (key <= r.after) o.at = i + 1;
      else if (pending.firstOf(key) <= r.upTo) out.push(key);
    }
    return out;
  }

  /** Every file was written at once (compact()): no round is under way. */
  done(): true {
    this.order = undefined;
    this.round = undefined;
    this.forget();
    return true;
  }

  private readSaved(): Round | undefined {
    let text: string | undefined;
    try {
      text = readSmallFile(this.file, 4096);
    } catch {
      return undefined; // not a file we can read: a hint only, the round starts again
    }
    const m = text === undefined ? null : /^(\d{1,16}) (\d{1,16}) ("(?:[^"\\]|\\.)*")\n$/.exec(text);
    if (!m) return undefined;
    try {
      const after = JSON.parse(m[3]) as unknown;
      return typeof after === 'string' ? { committed: Number(m[1]), upTo: Number(m[2]), after } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Records where the round stands. Not fsync'd: after a reboot the journal's replay rewrites
   * every file not known durable and moves `rev`, which makes this record another `rev`'s.
   */
  private save(r: Round): void {
    try {
      atomicWrite(this.file, `${r.committed} ${r.upTo} ${JSON.stringify(r.after)}\n`, false);
    } catch {
      /* a hint: the next holder starts its round again */
    }
  }

  private forget(): void {
    try {
      fs.unlinkSync(this.file);
    } catch {
      /* gone already, or not ours to remove: read as no round */
    }
  }
}
