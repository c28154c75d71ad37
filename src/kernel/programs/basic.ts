/**
 * The small utilities scenarios use around the network tools: `cat`, `hostname`, `echo`,
 * `sleep`, `true`, `false`, and the socket listings `ss` and `netstat`.
 *
 * Models: busybox 1.35 applets inside containers and GNU coreutils / iproute2 on hosts, only as
 * far as their output and exit status go: `cat: can't open 'x': No such file or directory`
 * (busybox) or `cat: x: No such file or directory` (coreutils), exit 1; `sleep` waits on the
 * virtual clock (`1`, `0.5`, `2s`, `1m`); `ss` and `netstat` print `sockets/listing.ts`.
 * Leaves out: cat's flags, `hostname NAME` (setting the name), `echo -e` escapes beyond `\n`
 * and `\t`.
 */
import type { Process } from '../process.js';
import { formatNetstat, formatSs } from '../sockets/index.js';
import { getopt, parseSeconds } from './args.js';
import { secondsToNs, socketsFor } from './util.js';

export function cat(proc: Process, argv: readonly string[]): void {
  const files = argv.slice(1);
  if (files.length === 0) {
    proc.out(proc.stdin);
    proc.exit(0);
    return;
  }
  let code = 0;
  for (const f of files) {
    if (f === '-') {
      proc.out(proc.stdin);
      continue;
    }
    const content = proc.fs.get(f);
    if (content === undefined) {
      proc.err(proc.userland === 'busybox' ? `cat: can't open '${f}': No such file or directory\n` : `cat: ${f}: No such file or directory\n`);
      code = 1;
      continue;
    }
    proc.out(content);
  }
  proc.exit(code);
}

export function hostname(proc: Process, argv: readonly string[]): void {
  const args = getopt(argv.slice(1), 'sfdi');
  const name = proc.hostname;
  if (args.has('s')) proc.out(`${name.split('.')[0]}\n`);
  else if (args.has('d')) proc.out(`${name.split('.').slice(1).join('.')}\n`);
  else proc.out(`${name}\n`);
  proc.exit(0);
}

export function echo(proc: Process, argv: readonly string[]): void {
  let words = argv.slice(1);
  let newline = true;
  let escapes = false;
  while (words[0] !== undefined && /^-[neE]+$/.test(words[0])) {
    if (words[0].includes('n')) newline = false;
    if (words[0].includes('e')) escapes = true;
    words = words.slice(1);
  }
  let out = words.join(' ');
  if (escapes) out = out.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
  proc.out(newline ? `${out}\n` : out);
  proc.exit(0);
}

export function sleep(proc: Process, argv: readonly string[]): void {
  const args = argv.slice(1);
  if (args.length === 0) {
    proc.err(proc.userland === 'busybox' ? 'Usage: sleep [N]...\n' : "sleep: missing operand\nTry 'sleep --help' for more information.\n");
    proc.exit(1);
    return;
  }
  let total = 0;
  for (const a of args) {
    const s = parseSeconds(a);
    if (s === undefined) {
      proc.err(proc.userland === 'busybox' ? `sleep: invalid number '${a}'\n` : `sleep: invalid time interval '${a}'\nTry 'sleep --help' for more information.\n`);
      proc.exit(1);
      return;
    }
    total += s;
  }
  proc.after(secondsToNs(total), () => proc.exit(0));
}

export function trueProgram(proc: Process): void {
  proc.exit(0);
}

export function falseProgram(proc: Process): void {
  proc.exit(1);
}

/** iproute2 `ss` (hosts, and `nsenter -n ss` into a container). */
export function ss(proc: Process, argv: readonly string[]): void {
  const args = getopt(argv.slice(1), 'ltunpaexiHmoOw46', { listening: { key: 'l', hasArg: false }, tcp: { key: 't', hasArg: false }, udp: { key: 'u', hasArg: false }, numeric: { key: 'n', hasArg: false }, processes: { key: 'p', hasArg: false }, all: { key: 'a', hasArg: false } });
  if (args.error !== undefined) {
    proc.err(`ss: ${args.error}\n`);
    proc.exit(1);
    return;
  }
  proc.out(formatSs(socketsFor(proc), { tcp: args.has('t'), udp: args.has('u'), listening: args.has('l'), all: args.has('a'), processes: args.has('p') }));
  proc.exit(0);
}

/** busybox `netstat`. */
export function netstat(proc: Process, argv: readonly string[]): void {
  const args = getopt(argv.slice(1), 'laentuwxrWp');
  if (args.error !== undefined) {
    proc.err(`netstat: ${args.error}\n`);
    proc.exit(1);
    return;
  }
  proc.out(formatNetstat(socketsFor(proc), { tcp: args.has('t'), udp: args.has('u'), listening: args.has('l'), all: args.has('a'), numeric: args.has('n'), processes: args.has('p') }));
  proc.exit(0);
}
