// Every verb, one module each. A module exports `register(program, p)`, which declares the
// verb's flags and wires its action; heavy work is imported lazily inside the action.

import type { Command } from 'commander';
import type { Program } from './root';

import * as apiResources from './api-resources';
import * as apply from './apply';
import * as config from './config';
import * as create from './create';
import * as del from './delete';
import * as describe from './describe';
import * as events from './events';
import * as get from './get';
import * as validate from './validate';
import * as version from './version';

export type Register = (program: Command, p: Program) => void;

export const COMMANDS: Register[] = [
  create.register,
  get.register,
  apply.register,
  del.register,
  describe.register,
  events.register,
  apiResources.register,
  config.register,
  validate.register,
  version.register,
];
