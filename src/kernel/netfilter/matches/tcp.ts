/**
 * `-m tcp` (loaded implicitly by `-p tcp --dport ...`): ports, flags and options of TCP.
 *
 * Models: extensions/libxt_tcp.c (legacy-style parser: its own "Only one ..." texts, `--syn` as
 * `--tcp-flags FIN,SYN,RST,ACK SYN`, flag names printed FIN,SYN,RST,PSH,ACK,URG in that order)
 * and net/netfilter/xt_tcpudp.c `tcp_mt` (no match on non-first fragments; `.proto = IPPROTO_TCP`,
 * so the rule must say `-p tcp`, uninverted, or the kernel refuses it).
 * Leaves out: the hotdrop of "evil" offset-1 fragments and truncated headers (treated as no match).
 * Invariant: flag masks are 8-bit.
 */
import { paramProblem } from '../errors.js';
import type { MatchDef } from '../ext-def.js';
import { strtoul } from '../xt-parse.js';
import { ANY_PORT, parseTcpPorts, portMatch, printPorts, savePorts, type PortRange } from './ports.js';

export interface TcpMatch {
  readonly kind: 'tcp';
  readonly spts: PortRange;
  readonly dpts: PortRange;
  readonly sptsInvert: boolean;
  readonly dptsInvert: boolean;
  readonly option: number;
  readonly optionInvert: boolean;
  readonly flgMask: number;
  readonly flgCmp: number;
  readonly flagsInvert: boolean;
}

const TCP_FLAG_NAMES: readonly (readonly [string, number])[] = [
  ['FIN', 0x01],
  ['SYN', 0x02],
  ['RST', 0x04],
  ['PSH', 0x08],
  ['ACK', 0x10],
  ['URG', 0x20],
  ['ALL', 0x3f],
  ['NONE', 0],
];

function parseTcpFlag(text: string): number {
  let ret = 0;
  for (const word of text.split(',').filter((w) => w !== '')) {
    const hit = TCP_FLAG_NAMES.find(([n]) => n.toLowerCase() === word.toLowerCase());
    if (hit === undefined) paramProblem(`Unknown TCP flag \`${word}'`);
    ret |= hit[1];
  }
  return ret;
}

/** `print_tcpf`: the first table name that shares a bit, repeatedly; NONE when empty. */
export function tcpFlagsText(flags: number): string {
  const names: string[] = [];
  let rest = flags & 0xff;
  while (rest !== 0) {
    const hit = TCP_FLAG_NAMES.find(([, bit]) => (rest & bit) !== 0);
    if (hit === undefined) break;
    names.push(hit[0]);
    rest &= ~hit[1];
  }
  return names.length === 0 ? 'NONE' : names.join(',');
}

const FLAGS_ONCE = "Only one of `--syn' or `--tcp-flags'  allowed";

export const tcpMatch: MatchDef<TcpMatch> = {
  name: 'tcp',
  options: [
    { name: 'source-port', id: 'sport', hasArg: true, invert: true, onceMessage: "Only one `--source-port' allowed" },
    { name: 'sport', hasArg: true, invert: true, onceMessage: "Only one `--source-port' allowed" },
    { name: 'destination-port', id: 'dport', hasArg: true, invert: true, onceMessage: "Only one `--destination-port' allowed" },
    { name: 'dport', hasArg: true, invert: true, onceMessage: "Only one `--destination-port' allowed" },
    { name: 'syn', id: 'flags', hasArg: false, invert: true, onceMessage: FLAGS_ONCE },
    { name: 'tcp-flags', id: 'flags', hasArg: true, invert: true, onceMessage: FLAGS_ONCE, secondArg: '--tcp-flags requires two args.' },
    { name: 'tcp-option', hasArg: true, invert: true, onceMessage: "Only one `--tcp-option' allowed" },
  ],
  init: () => ({
    kind: 'tcp',
    spts: ANY_PORT,
    dpts: ANY_PORT,
    sptsInvert: false,
    dptsInvert: false,
    option: 0,
    optionInvert: false,
    flgMask: 0,
    flgCmp: 0,
    flagsInvert: false,
  }),
  parse(d, call) {
    switch (call.id) {
      case 'sport':
        return { ...d, spts: parseTcpPorts(call.arg), sptsInvert: call.invert };
      case 'dport':
        return { ...d, dpts: parseTcpPorts(call.arg), dptsInvert: call.invert };
      case 'flags':
        if (call.name === 'syn') {
          return { ...d, flgMask: 0x17, flgCmp: 0x02, flagsInvert: call.invert };
        }
        return { ...d, flgMask: parseTcpFlag(call.arg), flgCmp: parseTcpFlag(call.arg2 ?? ''), flagsInvert: call.invert };
      case 'tcp-option': {
        const n = strtoul(call.arg, 1, 255);
        if (n === undefined) paramProblem(`Bad TCP option "${call.arg}"`);
        return { ...d, option: n, optionInvert: call.invert };
      }
      default:
        return d;
    }
  },
  final: (d) => d,
  save(d) {
    let s = savePorts('sport', d.spts, d.sptsInvert) + savePorts('dport', d.dpts, d.dptsInvert);
    if (d.option !== 0 || d.optionInvert) s += `${d.optionInvert ? ' !' : ''} --tcp-option ${d.option}`;
    if (d.flgMask !== 0 || d.flagsInvert) {
      s += `${d.flagsInvert ? ' !' : ''} --tcp-flags ${tcpFlagsText(d.flgMask)} ${tcpFlagsText(d.flgCmp)}`;
    }
    return s;
  },
  print(d, numeric) {
    let s = ' tcp' + printPorts('spt', d.spts, d.sptsInvert, numeric) + printPorts('dpt', d.dpts, d.dptsInvert, numeric);
    if (d.option !== 0 || d.optionInvert) s += ` option=${d.optionInvert ? '!' : ''}${d.option}`;
    if (d.flgMask !== 0 || d.flagsInvert) {
      const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');
      s += ` flags:${d.flagsInvert ? '!' : ''}`;
      s += numeric ? `0x${hex2(d.flgMask)}/0x${hex2(d.flgCmp)}` : `${tcpFlagsText(d.flgMask)}/${tcpFlagsText(d.flgCmp)}`;
    }
    return s;
  },
  match(d, pkt) {
    if (pkt.ip.fragmentOffset !== 0) return false;
    const l4 = pkt.l4;
    if (l4 === undefined || l4.sport === undefined || l4.dport === undefined) return false;
    if (!portMatch(d.spts, l4.sport, d.sptsInvert)) return false;
    if (!portMatch(d.dpts, l4.dport, d.dptsInvert)) return false;
    if (((l4.tcpFlags ?? 0) & d.flgMask) === d.flgCmp === d.flagsInvert) return false;
    if (d.option !== 0) {
      const present = (l4.tcpOptionKinds ?? []).includes(d.option);
      if (present === d.optionInvert) return false;
    }
    return true;
  },
  kernelCheck(_d, info) {
    if (info.proto !== 6 || info.protoInvert) return 'tcp match: only valid for protocol 6';
    return undefined;
  },
};
