// `kubesim run NAME --image=...`: creates a Pod, as kubectl run does.

import type { Command } from 'commander';
import type { Program } from './root';
import { registerGenerator } from './generate';
import { runGenerator as runPodGenerator } from '../generators';

export function register(program: Command, p: Program): void {
  registerGenerator(program, 'run', runPodGenerator, p);
}
