// The applet table: the programs a simulated container image has in /bin.

import type { Applet, Builtin } from '../interp';
import { fsApplets } from './fs';
import { grep } from './grep';
import { netApplets } from './net';
import { sed } from './sed';
import { builtinPrograms, sysApplets } from './sys';
import { tar } from './tar';
import { textApplets } from './text';

export function appletTable(builtins: Map<string, Builtin>): Map<string, Applet> {
  return new Map<string, Applet>(Object.entries({ ...builtinPrograms(builtins), ...textApplets, ...fsApplets, ...sysApplets, ...netApplets, grep, egrep: grep, fgrep: grep, sed, tar }));
}
