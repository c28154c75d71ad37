/**
 * ipvsadm's command line: popt tokenising, the command/option table and the checks
 * `process_options` makes before it talks to the kernel.
 *
 * Models: ipvsadm 1.31 `ipvsadm.c` (`parse_options`, `generic_opt_check` with its
 * `commands_v_options` table, `set_command`, `set_option`, `parse_service`, `parse_netmask`,
 * `parse_timeout`, `parse_fwmark`, `parse_sched_flags`, `string_to_number`), over popt's tokens
 * (popt.ts): leftover words are kept for `--set` and otherwise reported as "unexpected argument".
 * Failures carry ipvsadm's exit status: 2 from `fail()`, 255 from `tryhelp_exit(-1)` and popt
 * errors ("-q: unknown option", "missing argument").
 * Leaves out: host and service names for addresses (only dotted quads; ports may be numbers or
 * the few names of `ipvsadm-ports.ts`), IPv6 (`-6`, `[addr]:port`), the sync daemon commands and
 * options, `--pe`, `--tun-type` and friends.
 */
import { IPPROTO_TCP, IPPROTO_UDP, parseIpv4 } from '../../packet/index.js';
import { portByName } from './ipvsadm-ports.js';
import { tokenize, type OptDef } from './popt.js';
import { DEFAULT_PERSISTENT_TIMEOUT, SVC_F_ONEPACKET, SVC_F_PERSISTENT, type FwdMethod } from './service.js';
import { SVC_F_SCHED1, SVC_F_SCHED2, SVC_F_SCHED3 } from './sched-dest.js';

export type IpvsadmCmd = 'add-service' | 'edit-service' | 'delete-service' | 'flush' | 'list' | 'add-server' | 'delete-server' | 'edit-server' | 'set' | 'restore' | 'save' | 'zero';

/** `optnames[]`, in the table's column order. */
const OPTS = [
  'numeric',
  'connection',
  'service-address',
  'scheduler',
  'persistent',
  'netmask',
  'real-server',
  'forwarding-method',
  'weight',
  'u-threshold',
  'l-threshold',
  'timeout',
  'stats',
  'rate',
  'thresholds',
  'persistent-conn',
  'nosort',
  'exact',
  'ops',
  'sched-flags',
] as const;
type Opt = (typeof OPTS)[number];

type Rule = '+' | 'x' | '1' | ' ';

/** One row of `commands_v_options`: every option not named is illegal ('x'). */
function row(rules: Partial<Record<Opt, Rule>>): readonly Rule[] {
  return OPTS.map(o => rules[o] ?? 'x');
}

const DEST_OPTS = { 'forwarding-method': ' ', weight: ' ', 'u-threshold': ' ', 'l-threshold': ' ' } as const;
const SVC_OPTS = { scheduler: ' ', persistent: ' ', netmask: ' ', ops: ' ', 'sched-flags': ' ' } as const;

/** `commands_v_options`: '+' compulsory, 'x' illegal, '1' exclusive, ' ' optional. */
const TABLE: Readonly<Record<IpvsadmCmd, readonly Rule[]>> = {
  'add-service': row({ 'service-address': '+', ...SVC_OPTS }),
  'edit-service': row({ 'service-address': '+', ...SVC_OPTS }),
  'delete-service': row({ 'service-address': '+' }),
  flush: row({}),
  list: row({
    numeric: ' ',
    connection: '1',
    'service-address': '1',
    timeout: '1',
    stats: ' ',
    rate: ' ',
    thresholds: ' ',
    'persistent-conn': ' ',
    nosort: ' ',
    exact: ' ',
  }),
  'add-server': row({ 'service-address': '+', 'real-server': '+', ...DEST_OPTS }),
  'delete-server': row({ 'service-address': '+', 'real-server': '+' }),
  'edit-server': row({ 'service-address': '+', 'real-server': '+', ...DEST_OPTS }),
  set: row({}),
  restore: row({}),
  save: row({ numeric: ' ' }),
  zero: row({ 'service-address': ' ' }),
};

export interface IpvsadmEntry {
  cmd: IpvsadmCmd | 'help' | 'version';
  svc: { fwmark: number; protocol: number; addr: number; port: number; schedName: string; flags: number; timeout: number; netmask: number };
  dest: { addr: number; port: number; weight: number; fwd: FwdMethod; uThreshold: number; lThreshold: number };
  timeouts: { tcp: number; tcpFin: number; udp: number };
  options: Set<Opt>;
  format: { numeric: boolean; stats: boolean; rate: boolean; thresholds: boolean; persistentConn: boolean; nosort: boolean; exact: boolean };
}

/** A failure: what ipvsadm prints on stderr and its exit status. */
export class IpvsadmExit {
  constructor(
    readonly code: number,
    readonly stderr: string,
  ) {}
}

function fail(message: string): never {
  throw new IpvsadmExit(2, `${message}\n`);
}

function tryhelp(program: string): never {
  throw new IpvsadmExit(255, `Try \`${program} -h' or '${program} --help' for more information.\n`);
}

const DEFS: readonly OptDef[] = [
  { key: 'A', long: 'add-service', short: 'A', arg: 'none' },
  { key: 'E', long: 'edit-service', short: 'E', arg: 'none' },
  { key: 'D', long: 'delete-service', short: 'D', arg: 'none' },
  { key: 'C', long: 'clear', short: 'C', arg: 'none' },
  { key: 'L', long: 'list', short: 'L', arg: 'none' },
  { key: 'L', long: 'list', short: 'l', arg: 'none' },
  { key: 'Z', long: 'zero', short: 'Z', arg: 'none' },
  { key: 'a', long: 'add-server', short: 'a', arg: 'none' },
  { key: 'e', long: 'edit-server', short: 'e', arg: 'none' },
  { key: 'd', long: 'delete-server', short: 'd', arg: 'none' },
  { key: 'set', long: 'set', arg: 'none' },
  { key: 'h', long: 'help', short: 'h', arg: 'none' },
  { key: 'v', long: 'version', short: 'v', arg: 'none' },
  { key: 'R', long: 'restore', short: 'R', arg: 'none' },
  { key: 'S', long: 'save', short: 'S', arg: 'none' },
  { key: 't', long: 'tcp-service', short: 't', arg: 'required' },
  { key: 'u', long: 'udp-service', short: 'u', arg: 'required' },
  { key: 'f', long: 'fwmark-service', short: 'f', arg: 'required' },
  { key: 's', long: 'scheduler', short: 's', arg: 'required' },
  { key: 'p', long: 'persistent', short: 'p', arg: 'optional' },
  { key: 'M', long: 'netmask', short: 'M', arg: 'required' },
  { key: 'r', long: 'real-server', short: 'r', arg: 'required' },
  { key: 'm', long: 'masquerading', short: 'm', arg: 'none' },
  { key: 'i', long: 'ipip', short: 'i', arg: 'none' },
  { key: 'g', long: 'gatewaying', short: 'g', arg: 'none' },
  { key: 'w', long: 'weight', short: 'w', arg: 'required' },
  { key: 'x', long: 'u-threshold', short: 'x', arg: 'required' },
  { key: 'y', long: 'l-threshold', short: 'y', arg: 'required' },
  { key: 'n', long: 'numeric', short: 'n', arg: 'none' },
  { key: 'c', long: 'connection', short: 'c', arg: 'none' },
  { key: 'timeout', long: 'timeout', arg: 'none' },
  { key: 'stats', long: 'stats', arg: 'none' },
  { key: 'rate', long: 'rate', arg: 'none' },
  { key: 'thresholds', long: 'thresholds', arg: 'none' },
  { key: 'persistent-conn', long: 'persistent-conn', arg: 'none' },
  { key: 'nosort', long: 'nosort', arg: 'none' },
  { key: 'sort', long: 'sort', arg: 'none' },
  { key: 'X', long: 'exact', short: 'X', arg: 'none' },
  { key: 'o', long: 'ops', short: 'o', arg: 'none' },
  { key: 'b', long: 'sched-flags', short: 'b', arg: 'required' },
];

/** `string_to_number`: a whole decimal string within [min, max], else undefined. */
export function stringToNumber(s: string, min: number, max: number): number | undefined {
  if (!/^[+-]?\d+$/.test(s.trim()) || /^\s/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}

const SERVICE_ADDR = 1;
const SERVICE_PORT = 2;

/** `parse_service`: `host[:port]`; returns the SERVICE_* bits and fills addr/port. */
function parseService(buf: string, protocol: number, out: { addr: number; port: number }): number {
  if (/^\d*$/.test(buf)) return 0;
  const colon = buf.lastIndexOf(':');
  const host = colon < 0 ? buf : buf.slice(0, colon);
  const addr = parseIpv4(host);
  if (addr === undefined) return 0;
  out.addr = addr;
  if (colon < 0) return SERVICE_ADDR;
  const portText = buf.slice(colon + 1);
  const port = stringToNumber(portText, 0, 65535) ?? portByName(portText, protocol);
  if (port === undefined) return 0;
  out.port = port;
  return SERVICE_ADDR | SERVICE_PORT;
}

/** `parse_sched_flags` (ipvsadm 1.28+). */
function parseSchedFlags(sched: string, arg: string): number {
  let flags = 0;
  for (const flag of arg.split(',').filter(f => f !== '')) {
    const need = (s: string): void => {
      if (sched !== s) fail(`incompatible scheduler flag \`${flag}'`);
    };
    if (flag === 'flag-1') flags |= SVC_F_SCHED1;
    else if (flag === 'flag-2') flags |= SVC_F_SCHED2;
    else if (flag === 'flag-3') flags |= SVC_F_SCHED3;
    else if (flag === 'sh-fallback' || flag === 'mh-fallback') {
      need(flag.slice(0, 2));
      flags |= SVC_F_SCHED1;
    } else if (flag === 'sh-port' || flag === 'mh-port') {
      need(flag.slice(0, 2));
      flags |= SVC_F_SCHED2;
    } else fail(`invalid scheduler flag \`${flag}'`);
  }
  return flags;
}

const COMMAND_OF: Readonly<Record<string, IpvsadmCmd | 'help' | 'version'>> = {
  A: 'add-service',
  E: 'edit-service',
  D: 'delete-service',
  C: 'flush',
  L: 'list',
  Z: 'zero',
  a: 'add-server',
  e: 'edit-server',
  d: 'delete-server',
  set: 'set',
  R: 'restore',
  S: 'save',
  h: 'help',
  v: 'version',
};

const MAX_TIMEOUT = 86400 * 31;

function parseTimeout(buf: string | undefined, min: number, max: number): number {
  if (buf === undefined) return DEFAULT_PERSISTENT_TIMEOUT;
  const n = stringToNumber(buf, min, max);
  if (n === undefined) fail(`invalid timeout value \`${buf}' specified`);
  return n;
}

/** `parse_options` + `generic_opt_check` + the command checks of `process_options`. */
export function parseIpvsadm(argv: readonly string[]): IpvsadmEntry {
  const program = argv[0] ?? 'ipvsadm';
  const { tokens, leftovers } = tokenize(argv.slice(1), DEFS);
  const e: IpvsadmEntry = {
    cmd: 'list',
    svc: { fwmark: 0, protocol: 0, addr: 0, port: 0, schedName: '', flags: 0, timeout: 0, netmask: 0xffffffff },
    dest: { addr: 0, port: 0, weight: 1, fwd: 'gate', uThreshold: 0, lThreshold: 0 },
    timeouts: { tcp: 0, tcpFin: 0, udp: 0 },
    options: new Set(),
    format: { numeric: false, stats: false, rate: false, thresholds: false, persistentConn: false, nosort: false, exact: false },
  };
  const first = tokens[0];
  if (first === undefined || first.error !== undefined) tryhelp(program);
  const cmd = COMMAND_OF[first.key];
  if (cmd === undefined) tryhelp(program);
  e.cmd = cmd;
  if (cmd === 'help' || cmd === 'version') return e;
  const set = (o: Opt): void => {
    if (e.options.has(o)) fail(`multiple '${o}' options specified`);
    e.options.add(o);
  };
  let schedFlagsArg: string | undefined;
  for (const t of tokens.slice(1)) {
    if (t.error !== undefined) throw new IpvsadmExit(255, `${t.raw}: ${t.error}\n`);
    const arg = t.arg ?? '';
    switch (t.key) {
      case 't':
      case 'u': {
        set('service-address');
        e.svc.protocol = t.key === 't' ? IPPROTO_TCP : IPPROTO_UDP;
        if ((parseService(arg, e.svc.protocol, e.svc) & SERVICE_ADDR) === 0) fail('illegal virtual server address[:port] specified');
        break;
      }
      case 'f': {
        set('service-address');
        e.svc.protocol = IPPROTO_TCP;
        const mark = /^\d+$/.test(arg) ? Number(arg) : NaN;
        if (!(mark > 0 && mark <= 0xffffffff)) fail(`invalid fwmark value \`${arg}' specified`);
        e.svc.fwmark = mark;
        break;
      }
      case 's':
        set('scheduler');
        e.svc.schedName = arg.slice(0, 15);
        break;
      case 'p':
        set('persistent');
        e.svc.flags |= SVC_F_PERSISTENT;
        e.svc.timeout = parseTimeout(t.arg, 1, MAX_TIMEOUT);
        break;
      case 'M': {
        set('netmask');
        const mask = parseIpv4(arg);
        if (mask === undefined) fail('illegal virtual server persistent mask specified');
        e.svc.netmask = mask;
        break;
      }
      case 'r': {
        set('real-server');
        const out = { addr: 0, port: e.svc.port };
        const parsed = parseService(arg, e.svc.protocol, out);
        if ((parsed & SERVICE_ADDR) === 0) fail('illegal real server address[:port] specified');
        e.dest.addr = out.addr;
        e.dest.port = parsed === SERVICE_ADDR ? e.svc.port : out.port;
        break;
      }
      case 'm':
      case 'g':
      case 'i':
        set('forwarding-method');
        e.dest.fwd = t.key === 'm' ? 'masq' : t.key === 'g' ? 'gate' : 'ipip';
        break;
      case 'w': {
        set('weight');
        const w = stringToNumber(arg, 0, 65535);
        if (w === undefined) fail('illegal weight specified');
        e.dest.weight = w;
        break;
      }
      case 'x':
      case 'y': {
        set(t.key === 'x' ? 'u-threshold' : 'l-threshold');
        const v = stringToNumber(arg, 0, 2147483647);
        if (v === undefined) fail(`illegal ${t.key === 'x' ? 'u_threshold' : 'l_threshold'} specified`);
        if (t.key === 'x') e.dest.uThreshold = v;
        else e.dest.lThreshold = v;
        break;
      }
      case 'n':
        set('numeric');
        e.format.numeric = true;
        break;
      case 'c':
        set('connection');
        break;
      case 'timeout':
      case 'stats':
      case 'rate':
      case 'thresholds':
      case 'persistent-conn':
      case 'nosort':
        set(t.key);
        if (t.key === 'stats') e.format.stats = true;
        if (t.key === 'rate') e.format.rate = true;
        if (t.key === 'thresholds') e.format.thresholds = true;
        if (t.key === 'persistent-conn') e.format.persistentConn = true;
        if (t.key === 'nosort') e.format.nosort = true;
        break;
      case 'sort':
        break;
      case 'X':
        set('exact');
        e.format.exact = true;
        break;
      case 'o':
        set('ops');
        e.svc.flags |= SVC_F_ONEPACKET;
        break;
      case 'b':
        set('sched-flags');
        schedFlagsArg = arg;
        break;
      default:
        fail(`invalid option \`${t.raw}'`);
    }
  }
  if (schedFlagsArg !== undefined) e.svc.flags |= parseSchedFlags(e.svc.schedName === '' ? 'wlc' : e.svc.schedName, schedFlagsArg);
  if (e.cmd === 'set') {
    if (leftovers.length < 3) fail('--set option requires 3 timeout values');
    const [tcp, tcpFin, udp] = leftovers.splice(0, 3) as [string, string, string];
    e.timeouts = { tcp: parseTimeout(tcp, 0, MAX_TIMEOUT), tcpFin: parseTimeout(tcpFin, 0, MAX_TIMEOUT), udp: parseTimeout(udp, 0, MAX_TIMEOUT) };
  }
  if (leftovers.length > 0) fail(`unexpected argument ${leftovers[0]!}`);
  checkOptions(cmd, e.options);
  return finish(e);
}

/** `generic_opt_check`. */
function checkOptions(cmd: IpvsadmCmd, options: ReadonlySet<Opt>): void {
  const rules = TABLE[cmd];
  let last: Opt | undefined;
  OPTS.forEach((o, j) => {
    const rule = rules[j];
    if (!options.has(o)) {
      if (rule === '+') fail(`You need to supply the '${o}' option for the '${cmd}' command`);
      return;
    }
    if (rule === 'x') fail(`Illegal '${o}' option with the '${cmd}' command`);
    if (rule === '1') {
      if (last !== undefined) fail(`The option '${o}' conflicts with the '${last}' option in the '${cmd}' command`);
      last = o;
    }
  });
}

/** The command-specific rules of `process_options`. */
function finish(e: IpvsadmEntry): IpvsadmEntry {
  if (e.cmd === 'add-service' || e.cmd === 'edit-service') {
    if (e.svc.fwmark === 0 && e.svc.port === 0 && (e.svc.flags & SVC_F_PERSISTENT) === 0) fail('Zero port specified for non-persistent service');
    if ((e.svc.flags & SVC_F_ONEPACKET) !== 0 && e.svc.fwmark === 0 && e.svc.protocol !== IPPROTO_UDP) fail('One-Packet Scheduling is only for UDP virtual services');
    if (e.svc.schedName === '') e.svc.schedName = 'wlc';
  }
  if ((e.cmd === 'add-server' || e.cmd === 'edit-server') && e.svc.fwmark === 0 && e.dest.fwd !== 'masq') e.dest.port = e.svc.port;
  if (e.cmd === 'list') {
    const o = e.options;
    if ((o.has('connection') || o.has('timeout')) && (o.has('stats') || o.has('persistent-conn') || o.has('rate') || o.has('thresholds'))) {
      fail('options conflicts in the list command');
    }
  }
  return e;
}
