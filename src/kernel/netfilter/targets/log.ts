/**
 * `-j LOG [--log-prefix P] [--log-level L] [--log-tcp-sequence ...]`: a kernel log line.
 *
 * Models: extensions/libxt_LOG.c (prefix cut to 29 characters and saved with
 * `xtables_save_string`; level by number or syslog name, saved as a number and only when it is
 * not the default 4; print ` LOG flags F level L prefix "P"` with -n, ` LOG level warning ...`
 * without) and net/netfilter/xt_LOG.c (non-terminating: the traversal continues).
 * The evaluator returns the log request; the caller formats the nf_log packet dump.
 * Leaves out: nothing.
 * Invariant: 0 <= level <= 7; flags are IPT_LOG_* bits.
 */
import { paramProblem } from '../errors.js';
import type { TargetDef } from '../ext-def.js';
import { LOG_LEVELS } from '../names.js';
import { saveString, strtoul } from '../xt-parse.js';

export const LOG_FLAGS = {
  tcpSequence: 0x01,
  tcpOptions: 0x02,
  ipOptions: 0x04,
  uid: 0x08,
  macDecode: 0x20,
} as const;

const FLAG_OPTS = [
  ['log-tcp-sequence', LOG_FLAGS.tcpSequence, 'tcp-sequence'],
  ['log-tcp-options', LOG_FLAGS.tcpOptions, 'tcp-options'],
  ['log-ip-options', LOG_FLAGS.ipOptions, 'ip-options'],
  ['log-uid', LOG_FLAGS.uid, 'uid'],
  ['log-macdecode', LOG_FLAGS.macDecode, 'macdecode'],
] as const;

export interface LogTarget {
  readonly kind: 'LOG';
  readonly level: number;
  readonly prefix: string;
  readonly flags: number;
}

const DEFAULT_LEVEL = 4;

export const logTarget: TargetDef<LogTarget> = {
  name: 'LOG',
  options: [
    { name: 'log-level', hasArg: true, invert: false },
    { name: 'log-prefix', hasArg: true, invert: false },
    ...FLAG_OPTS.map(([name]) => ({ name, hasArg: false, invert: false })),
  ],
  init: () => ({ kind: 'LOG', level: DEFAULT_LEVEL, prefix: '', flags: 0 }),
  parse(d, call) {
    if (call.id === 'log-level') {
      const level = strtoul(call.arg, 0, 7) ?? LOG_LEVELS.find(([n]) => n === call.arg)?.[1];
      if (level === undefined) paramProblem(`log level "${call.arg}" unknown\n`);
      return { ...d, level };
    }
    if (call.id === 'log-prefix') {
      if (call.arg.length < 1) paramProblem('Argument must have a minimum length of 1 characters\n');
      if (call.arg.includes('\n')) paramProblem('Newlines not allowed in --log-prefix');
      return { ...d, prefix: call.arg.slice(0, 29) };
    }
    const flag = FLAG_OPTS.find(([n]) => n === call.id);
    return flag === undefined ? d : { ...d, flags: d.flags | flag[1] };
  },
  final: (d) => d,
  save(d) {
    let s = d.prefix !== '' ? ` --log-prefix${saveString(d.prefix)}` : '';
    if (d.level !== DEFAULT_LEVEL) s += ` --log-level ${d.level}`;
    for (const [name, bit] of FLAG_OPTS) if ((d.flags & bit) !== 0) s += ` --${name}`;
    return s;
  },
  print(d, numeric) {
    let s = ' LOG';
    if (numeric) {
      s += ` flags ${d.flags} level ${d.level}`;
    } else {
      const name = LOG_LEVELS.find(([, l]) => l === d.level)?.[0];
      s += name === undefined ? ` UNKNOWN level ${d.level}` : ` level ${name}`;
      for (const [, bit, word] of FLAG_OPTS) if ((d.flags & bit) !== 0) s += ` ${word}`;
    }
    if (d.prefix !== '') s += ` prefix "${d.prefix}"`;
    return s;
  },
};
