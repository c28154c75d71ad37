/**
 * The match extensions this iptables knows, by `-m` name, and the union of their data.
 *
 * Models: libxtables' list of loaded matches (`xtables_matches`, filled from
 * /usr/lib/x86_64-linux-gnu/xtables/libxt_*.so); a name not here fails like a missing library:
 * `Couldn't load match \`foo':No such file or directory`.
 * Leaves out: limit, hashlimit, length, iprange, owner, recent, string, mac, pkttype, tos, ttl,
 * dscp, sctp, esp, ah, connlimit, connbytes, time, helper and the other rarer matches.
 * Invariant: each `kind` of MatchData maps to exactly one definition here.
 */
import type { MatchDef } from '../ext-def.js';
import { addrtypeMatch, type AddrtypeMatch } from './addrtype.js';
import { commentMatch, type CommentMatch } from './comment.js';
import { conntrackMatch, type ConntrackMatch } from './conntrack.js';
import { icmpMatch, type IcmpMatch } from './icmp.js';
import { ipvsMatch, type IpvsMatch } from './ipvs.js';
import { connmarkMatch, markMatch, type MarkMatch } from './mark.js';
import { multiportMatch, type MultiportMatch } from './multiport.js';
import { physdevMatch, type PhysdevMatch } from './physdev.js';
import { policyMatch, type PolicyMatch } from './policy.js';
import { setMatch, type SetMatch } from './set.js';
import { stateMatch, type StateMatch } from './state.js';
import { statisticMatch, type StatisticMatch } from './statistic.js';
import { tcpMatch, type TcpMatch } from './tcp.js';
import { u32Match, type U32Match } from './u32.js';
import { udpMatch, type UdpMatch } from './udp.js';

export type MatchData =
  | TcpMatch
  | UdpMatch
  | IcmpMatch
  | ConntrackMatch
  | StateMatch
  | AddrtypeMatch
  | MarkMatch
  | MultiportMatch
  | PhysdevMatch
  | IpvsMatch
  | PolicyMatch
  | U32Match
  | CommentMatch
  | SetMatch
  | StatisticMatch;

export type MatchKind = MatchData['kind'];

const DEFS: Readonly<Record<MatchKind, MatchDef<MatchData>>> = {
  tcp: tcpMatch as MatchDef<MatchData>,
  udp: udpMatch as MatchDef<MatchData>,
  icmp: icmpMatch as MatchDef<MatchData>,
  conntrack: conntrackMatch as MatchDef<MatchData>,
  state: stateMatch as MatchDef<MatchData>,
  addrtype: addrtypeMatch as MatchDef<MatchData>,
  mark: markMatch as MatchDef<MatchData>,
  connmark: connmarkMatch as MatchDef<MatchData>,
  multiport: multiportMatch as MatchDef<MatchData>,
  physdev: physdevMatch as MatchDef<MatchData>,
  ipvs: ipvsMatch as MatchDef<MatchData>,
  policy: policyMatch as MatchDef<MatchData>,
  u32: u32Match as MatchDef<MatchData>,
  comment: commentMatch as MatchDef<MatchData>,
  set: setMatch as MatchDef<MatchData>,
  statistic: statisticMatch as MatchDef<MatchData>,
};

export function matchDefByName(name: string): MatchDef<MatchData> | undefined {
  return Object.prototype.hasOwnProperty.call(DEFS, name) ? DEFS[name as MatchKind] : undefined;
}

export function matchDefOf(d: MatchData): MatchDef<MatchData> {
  return DEFS[d.kind];
}

/** `-p NAME` loads the match of the same name when an unknown option follows (`-p tcp --dport`). */
export const PROTOCOL_MATCHES: readonly MatchKind[] = ['tcp', 'udp', 'icmp'];
