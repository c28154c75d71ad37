/**
 * `-m udp` (loaded implicitly by `-p udp --dport ...`): UDP source and destination ports.
 *
 * Models: extensions/libxt_udp.c (x6 parser, XTTYPE_PORTRC: `4:3` is accepted and never
 * matches, as upstream's test file records) and net/netfilter/xt_tcpudp.c `udp_mt`
 * (`.proto = IPPROTO_UDP`: the rule needs `-p udp`, uninverted).
 * Leaves out: UDP-Lite (same kernel match, `-p udplite`); it is refused like any protocol mismatch.
 * Invariant: a full range prints nothing, as udp_save does.
 */
import type { MatchDef } from '../ext-def.js';
import { ANY_PORT, parsePortRc, portMatch, printPorts, savePorts, type PortRange } from './ports.js';

export interface UdpMatch {
  readonly kind: 'udp';
  readonly spts: PortRange;
  readonly dpts: PortRange;
  readonly sptsInvert: boolean;
  readonly dptsInvert: boolean;
}

export const udpMatch: MatchDef<UdpMatch> = {
  name: 'udp',
  options: [
    { name: 'source-port', id: 'sport', hasArg: true, invert: true },
    { name: 'sport', hasArg: true, invert: true },
    { name: 'destination-port', id: 'dport', hasArg: true, invert: true },
    { name: 'dport', hasArg: true, invert: true },
  ],
  init: () => ({ kind: 'udp', spts: ANY_PORT, dpts: ANY_PORT, sptsInvert: false, dptsInvert: false }),
  parse(d, call) {
    if (call.id === 'sport') return { ...d, spts: parsePortRc(call.arg, 'udp', call.name), sptsInvert: call.invert };
    if (call.id === 'dport') return { ...d, dpts: parsePortRc(call.arg, 'udp', call.name), dptsInvert: call.invert };
    return d;
  },
  final: (d) => d,
  save: (d) => savePorts('sport', d.spts, d.sptsInvert) + savePorts('dport', d.dpts, d.dptsInvert),
  print: (d, numeric) =>
    ' udp' + printPorts('spt', d.spts, d.sptsInvert, numeric) + printPorts('dpt', d.dpts, d.dptsInvert, numeric),
  match(d, pkt) {
    if (pkt.ip.fragmentOffset !== 0) return false;
    const l4 = pkt.l4;
    if (l4 === undefined || l4.sport === undefined || l4.dport === undefined) return false;
    return portMatch(d.spts, l4.sport, d.sptsInvert) && portMatch(d.dpts, l4.dport, d.dptsInvert);
  },
  kernelCheck(_d, info) {
    if (info.proto !== 17 || info.protoInvert) return 'udp match: only valid for protocol 17';
    return undefined;
  },
};
