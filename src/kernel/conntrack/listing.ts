/**
 * The `conntrack` command of conntrack-tools 1.4 over a namespace's table: `-L` (list), `-D`
 * (delete matching entries, printing them), `-F` (flush), `-C` (count), with the usual filters.
 *
 * Models: conntrack-tools `src/conntrack.c` (options, the `exit_msg` lines on stderr:
 * "N flow entries have been shown." / "... deleted.", "connection tracking table has been
 * emptied.", exit status 1 when a delete matched nothing, 2 for a parameter problem) and
 * libnetfilter_conntrack `src/conntrack/snprintf_default.c` (`%-8s %u ` protocol name and
 * number, the remaining timeout in seconds, the TCP state, the original tuple, `[UNREPLIED]`, the
 * reply tuple, `[ASSURED]`, `mark=`, `use=`; `-o extended` prefixes `ipv4     2 `). Checked
 * against the reference captures in docker-20.10/04-port-publishing/conntrack-*.txt:
 *
 *   tcp      6 110 TIME_WAIT src=172.24.0.1 dst=172.24.0.1 sport=37756 dport=8082 src=172.24.0.2 dst=172.24.0.1 sport=80 dport=37756 [ASSURED] mark=0 use=1
 *   udp      17 27 src=127.0.0.1 dst=127.0.0.1 sport=57182 dport=5353 src=127.0.0.1 dst=127.0.0.1 sport=5353 dport=57182 mark=0 use=1
 *
 * Order: the kernel dumps in hash-bucket order; this model lists in confirmation order.
 * Leaves out: `-E` (events), `-I`/`-U`/`-G`, expectations, `-o xml`, zones, counters, `-S`.
 */
import { SECOND } from '../../engine/index.js';
import { parseIpv4, type Ipv4 } from '../../packet/index.js';
import type { CtEntry } from './entry.js';
import type { ConntrackTable } from './table.js';
import type { TcpCtState } from './tcp-state.js';
import { formatTuple, hasPorts, protoName, type CtTuple } from './tuple.js';

export const CONNTRACK_VERSION = '1.4.7';
const PREFIX = `conntrack v${CONNTRACK_VERSION} (conntrack-tools): `;

export interface CtFilter {
  readonly proto?: number;
  readonly origSrc?: Ipv4;
  readonly origDst?: Ipv4;
  readonly replySrc?: Ipv4;
  readonly replyDst?: Ipv4;
  readonly origSport?: number;
  readonly origDport?: number;
  readonly replySport?: number;
  readonly replyDport?: number;
  readonly mark?: { readonly value: number; readonly mask: number };
  readonly tcpState?: TcpCtState;
  /** `--src-nat [ip]` / `--dst-nat [ip]`: entries with that NAT (to that address). */
  readonly srcNat?: Ipv4 | true;
  readonly dstNat?: Ipv4 | true;
  readonly status?: { readonly assured?: boolean; readonly seenReply?: boolean };
}

/** The remaining lifetime in whole seconds, as `ctnetlink_dump_timeout` computes it. */
export function remainingSeconds(entry: CtEntry, now: number): number {
  return Math.max(0, Math.floor((entry.timeoutAt - now) / SECOND));
}

/** One line of `conntrack -L`. */
export function formatCtEntry(entry: CtEntry, now: number, extended = false): string {
  let s = extended ? 'ipv4     2 ' : '';
  s += `${protoName(entry.orig.proto).padEnd(8)} ${entry.orig.proto} ${remainingSeconds(entry, now)} `;
  if (entry.tcp !== undefined) s += `${entry.tcp.state} `;
  s += `${formatTuple(entry.orig)} `;
  if (!entry.seenReply) s += '[UNREPLIED] ';
  s += `${formatTuple(entry.reply)} `;
  if (entry.assured) s += '[ASSURED] ';
  s += `mark=${entry.mark >>> 0} use=1`;
  return s;
}

function portOf(t: CtTuple, which: 'sport' | 'dport'): number | undefined {
  return hasPorts(t.proto) ? t[which] : undefined;
}

/** Does `entry` pass the filter (every given field must match)? */
export function ctEntryMatches(entry: CtEntry, f: CtFilter): boolean {
  const o = entry.orig;
  const r = entry.reply;
  if (f.proto !== undefined && o.proto !== f.proto) return false;
  if (f.origSrc !== undefined && o.src !== f.origSrc) return false;
  if (f.origDst !== undefined && o.dst !== f.origDst) return false;
  if (f.replySrc !== undefined && r.src !== f.replySrc) return false;
  if (f.replyDst !== undefined && r.dst !== f.replyDst) return false;
  if (f.origSport !== undefined && portOf(o, 'sport') !== f.origSport) return false;
  if (f.origDport !== undefined && portOf(o, 'dport') !== f.origDport) return false;
  if (f.replySport !== undefined && portOf(r, 'sport') !== f.replySport) return false;
  if (f.replyDport !== undefined && portOf(r, 'dport') !== f.replyDport) return false;
  if (f.mark !== undefined && ((entry.mark & f.mark.mask) >>> 0) !== f.mark.value >>> 0) return false;
  if (f.tcpState !== undefined && entry.tcp?.state !== f.tcpState) return false;
  if (f.srcNat !== undefined && (!entry.srcNat || (f.srcNat !== true && r.dst !== f.srcNat))) return false;
  if (f.dstNat !== undefined && (!entry.dstNat || (f.dstNat !== true && r.src !== f.dstNat))) return false;
  if (f.status?.assured === true && !entry.assured) return false;
  if (f.status?.seenReply === true && !entry.seenReply) return false;
  return true;
}

/** Live entries passing `filter`, in listing order. */
export function conntrackList(table: ConntrackTable, filter: CtFilter = {}): CtEntry[] {
  return table.entries().filter(e => ctEntryMatches(e, filter));
}

/** What a command printed and its exit status. */
export interface CtCommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

type Command = 'list' | 'delete' | 'flush' | 'count' | 'version';

const TCP_STATES: readonly TcpCtState[] = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2'];

class ParamProblem {
  constructor(readonly message: string) {}
}

function problem(message: string): never {
  throw new ParamProblem(message);
}

function addr(text: string | undefined, opt: string): Ipv4 {
  if (text === undefined) problem(`option \`${opt}' requires an argument`);
  const ip = parseIpv4(text);
  if (ip === undefined) problem(`Invalid IP address \`${text}'.`);
  return ip;
}

function port(text: string | undefined, opt: string): number {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) > 65535) problem(`Bad parameter \`${opt}'`);
  return Number(text);
}

function protoArg(text: string | undefined): number {
  if (text === undefined) problem("option `--proto' requires an argument");
  const names: Readonly<Record<string, number>> = { tcp: 6, udp: 17, icmp: 1, udplite: 136, sctp: 132, gre: 47, dccp: 33 };
  const n = names[text.toLowerCase()];
  if (n !== undefined) return n;
  if (/^\d+$/.test(text) && Number(text) <= 255) return Number(text);
  problem(`unknown protocol \`${text}'`);
}

/**
 * `conntrack ARGS` over `table`. Accepts `-L/--dump`, `-D/--delete`, `-F/--flush`, `-C/--count`,
 * `-V/--version`, the filters `-p`, `-s/-d/-r/-q` (and long forms), `--sport/--dport`,
 * `--reply-port-src/--reply-port-dst`, `-m/--mark V[/M]`, `--state S`, `-n/--src-nat`,
 * `-g/--dst-nat`, `-u/--status ASSURED|SEEN_REPLY`, `-o extended`, `-f ipv4`, `-z`.
 */
export function conntrackCommand(table: ConntrackTable, args: readonly string[]): CtCommandResult {
  try {
    return run(table, args);
  } catch (e) {
    if (e instanceof ParamProblem) {
      return { exitCode: 2, stdout: '', stderr: `${PREFIX}${e.message}\nTry \`conntrack -h' or 'conntrack --help' for more information.\n` };
    }
    throw e;
  }
}

function run(table: ConntrackTable, args: readonly string[]): CtCommandResult {
  let command: Command | undefined;
  const filter: { -readonly [K in keyof CtFilter]: CtFilter[K] } = {};
  let extended = false;
  let options = 0;
  const setCommand = (c: Command): void => {
    if (command !== undefined && command !== c) problem('Invalid commands combination');
    command = c;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [name, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    switch (name) {
      case '-L':
      case '--dump':
        setCommand('list');
        if (args[i + 1] === 'conntrack') i++;
        break;
      case '-D':
      case '--delete':
        setCommand('delete');
        if (args[i + 1] === 'conntrack') i++;
        break;
      case '-F':
      case '--flush':
        setCommand('flush');
        if (args[i + 1] === 'conntrack') i++;
        break;
      case '-C':
      case '--count':
        setCommand('count');
        break;
      case '-V':
      case '--version':
        setCommand('version');
        break;
      case '-p':
      case '--proto':
      case '--protonum':
        filter.proto = protoArg(value());
        options++;
        break;
      case '-s':
      case '--src':
      case '--orig-src':
        filter.origSrc = addr(value(), 'orig-src');
        options++;
        break;
      case '-d':
      case '--dst':
      case '--orig-dst':
        filter.origDst = addr(value(), 'orig-dst');
        options++;
        break;
      case '-r':
      case '--reply-src':
        filter.replySrc = addr(value(), 'reply-src');
        options++;
        break;
      case '-q':
      case '--reply-dst':
        filter.replyDst = addr(value(), 'reply-dst');
        options++;
        break;
      case '--sport':
      case '--orig-port-src':
      case '--dport':
      case '--orig-port-dst':
      case '--reply-port-src':
      case '--reply-port-dst': {
        if (filter.proto === undefined || !hasPorts(filter.proto)) problem(`unrecognized option '${name}'`);
        const p = port(value(), name.slice(2));
        if (name === '--sport' || name === '--orig-port-src') filter.origSport = p;
        else if (name === '--dport' || name === '--orig-port-dst') filter.origDport = p;
        else if (name === '--reply-port-src') filter.replySport = p;
        else filter.replyDport = p;
        options++;
        break;
      }
      case '--state': {
        if (filter.proto !== 6) problem(`unrecognized option '${name}'`);
        const v = value()?.toUpperCase();
        const st = TCP_STATES.find(s => s === v);
        if (st === undefined) problem(`unknown TCP state \`${v ?? ''}'`);
        filter.tcpState = st;
        options++;
        break;
      }
      case '-m':
      case '--mark': {
        const v = value();
        const m = v === undefined ? undefined : /^(0x[0-9a-f]+|\d+)(?:\/(0x[0-9a-f]+|\d+))?$/i.exec(v);
        if (m === undefined || m === null) problem(`Bad parameter \`${v ?? ''}'`);
        filter.mark = { value: Number(m[1]) >>> 0, mask: m[2] === undefined ? 0xffffffff : Number(m[2]) >>> 0 };
        options++;
        break;
      }
      case '-n':
      case '--src-nat':
      case '-g':
      case '--dst-nat': {
        const next = inline ?? (args[i + 1] !== undefined && !args[i + 1]!.startsWith('-') ? args[++i] : undefined);
        const target: Ipv4 | true = next === undefined ? true : addr(next, name);
        if (name === '-n' || name === '--src-nat') filter.srcNat = target;
        else filter.dstNat = target;
        options++;
        break;
      }
      case '-u':
      case '--status': {
        const v = value() ?? '';
        const status: { assured?: boolean; seenReply?: boolean } = {};
        for (const word of v.split(',')) {
          if (word.toUpperCase() === 'ASSURED') status.assured = true;
          else if (word.toUpperCase() === 'SEEN_REPLY') status.seenReply = true;
          else problem(`Bad parameter \`${v}'`);
        }
        filter.status = status;
        options++;
        break;
      }
      case '-o':
      case '--output': {
        const v = value() ?? '';
        for (const word of v.split(',')) {
          if (word === 'extended') extended = true;
          else if (word !== 'id' && word !== 'ktimestamp' && word !== 'labels' && word !== 'userspace') problem(`Bad parameter \`${v}'`);
        }
        break;
      }
      case '-f':
      case '--family': {
        const v = value();
        if (v !== 'ipv4') problem(`Bad parameter \`${v ?? ''}'`);
        break;
      }
      case '-z':
      case '--zero':
        break;
      default:
        problem(`unrecognized option '${name}'`);
    }
  }
  if (command === undefined) problem('no command specified');
  const now = table.now;
  switch (command) {
    case 'version':
      return { exitCode: 0, stdout: `conntrack v${CONNTRACK_VERSION} (conntrack-tools)\n`, stderr: '' };
    case 'flush':
      if (options > 0) problem("Illegal option `--orig-src' with this command");
      table.flush();
      return { exitCode: 0, stdout: '', stderr: `${PREFIX}connection tracking table has been emptied.\n` };
    case 'count':
      return { exitCode: 0, stdout: `${conntrackList(table, filter).length}\n`, stderr: '' };
    case 'list': {
      const entries = conntrackList(table, filter);
      const stdout = entries.map(e => `${formatCtEntry(e, now, extended)}\n`).join('');
      return { exitCode: 0, stdout, stderr: `${PREFIX}${entries.length} flow entries have been shown.\n` };
    }
    case 'delete': {
      if (options === 0) problem("You need to supply parameters to `-D'");
      const entries = conntrackList(table, filter);
      const stdout = entries.map(e => `${formatCtEntry(e, now, extended)}\n`).join('');
      for (const e of entries) table.kill(e);
      return { exitCode: entries.length === 0 ? 1 : 0, stdout, stderr: `${PREFIX}${entries.length} flow entries have been deleted.\n` };
    }
  }
}
