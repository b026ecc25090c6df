// The state lock's hand-over (src/store/file-lock.ts): how long after the holder releases
// the waiting process (first in line, polling) holds the lock, and the waiter's CPU.
// `ROUNDS=150 node --import tsx bench/lock-handoff.ts`: this process holds the lock 20 ms a
// round (writing its release time to a file just before it lets go), a child takes it for
// 5 ms in between and reads that time once it holds the lock.
import { FileLock, sleepSync } from '../src/store/file-lock';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const now = () => performance.timeOrigin + performance.now();
const ROUNDS = Number(process.env.ROUNDS ?? 150);
if (process.argv[2] === 'child') {
  const lock = new FileLock(join(process.argv[3], 'lock'), 30_000);
  const c0 = process.cpuUsage();
  const out: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    lock.acquire();
    out.push(now() - Number(readFileSync(join(process.argv[3], 'rel'), 'utf8')));
    sleepSync(5);
    lock.release();
    sleepSync(15);
  }
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ acq: out, cpuMs: (c.user + c.system) / 1000 }));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-handoff-'));
  const lock = new FileLock(join(dir, 'lock'), 30_000);
  lock.acquire();
  const child = spawn(process.execPath, ['--import', 'tsx', process.argv[1], 'child', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  (async () => {
    while (!readdirSync(dir).some((n: string) => n.startsWith('lock.want.'))) await new Promise((r) => setTimeout(r, 5)); // the child queued
    for (let i = 0; i < ROUNDS; i++) {
      sleepSync(20);
      writeFileSync(join(dir, 'rel'), String(now()));
      lock.release();
      sleepSync(2);
      if (i < ROUNDS - 1) lock.acquire();
    }
    await new Promise((r) => child.on('close', r));
    const { acq, cpuMs } = JSON.parse(out);
    const lat = acq.sort((a: number, b: number) => a - b);
    const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))].toFixed(2);
    rmSync(dir, { recursive: true, force: true });
    console.log(`hand-overs ${lat.length}: latency p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms; waiter CPU ${cpuMs.toFixed(0)} ms over ${ROUNDS} rounds`);
  })();
}
