/**
 * A rule as `iptables-save` and `iptables -S` print it: the canonical text of iptables 1.8.9.
 *
 * Models: iptables/nft-ipv4.c `nft_ipv4_save_rule` -> xshared.c `save_ipv4_addr` (`-s a.b.c.d/N`,
 * nothing for 0.0.0.0/0, a dotted mask when it is not a prefix), `save_rule_details` (`-i`, `-o`
 * with `+`, `-p` by name, `-f`), nft-shared.c `save_matches_and_target` (` -m NAME` plus the
 * extension's save text, each match in rule order; ` -c P B` for `-S -v`; ` -j TARGET`, ` -g
 * CHAIN`) and nft.c `nft_rule_print_save` (`[P:B] ` before `-A` for `iptables-save -c`).
 *
 *   -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
 *
 * nf_tables detail: the comment match is kept in the rule's user data and comes back last among
 * the matches (nft-shared.c appends it after the expressions are decoded).
 * Leaves out: nothing of the supported extensions.
 * Invariant: the text parses back (parse-rule.ts) to an equal rule.
 */
import { formatIpv4 } from '../../packet/index.js';
import { matchDefOf, type MatchData } from './matches/registry.js';
import { protoToName } from './names.js';
import type { AddrSpec, IfaceSpec, Rule } from './rule.js';
import { targetDefOf, targetName } from './targets/registry.js';
import { bitsOfMask } from './xt-parse.js';

/** `mask_to_str` of xshared.c: the prefix length, or the dotted mask. */
export function maskToStr(mask: number): string {
  const bits = bitsOfMask(mask);
  return bits === undefined ? formatIpv4(mask) : `${bits}`;
}

function saveAddr(letter: 's' | 'd', a: AddrSpec): string {
  if (a.mask === 0 && !a.invert && a.addr === 0) return '';
  return `${a.invert ? ' !' : ''} -${letter} ${formatIpv4(a.addr)}/${maskToStr(a.mask)}`;
}

export function ifaceText(i: IfaceSpec): string {
  return i.wildcard ? `${i.name}+` : i.name;
}

function saveIface(letter: 'i' | 'o', i: IfaceSpec | undefined): string {
  // `save_iface` prints nothing when the mask is empty, i.e. for a bare "+".
  if (i === undefined || (i.wildcard && i.name === '')) return '';
  return `${i.invert ? ' !' : ''} -${letter} ${ifaceText(i)}`;
}

/** Matches in the order iptables-nft prints them: the comment comes last. */
export function matchesInSaveOrder(matches: readonly MatchData[]): MatchData[] {
  return [...matches.filter((m) => m.kind !== 'comment'), ...matches.filter((m) => m.kind === 'comment')];
}

export interface RuleTextOptions {
  /** `-S -v`: ` -c PKTS BYTES` before the target. */
  readonly counters?: { readonly packets: number; readonly bytes: number } | undefined;
}

/** Everything after `-A CHAIN`; starts with a space unless the rule is empty. */
export function formatRuleSpec(rule: Rule, opts: RuleTextOptions = {}): string {
  let s = saveAddr('s', rule.src) + saveAddr('d', rule.dst);
  s += saveIface('i', rule.inIface) + saveIface('o', rule.outIface);
  if (rule.proto > 0) {
    s += `${rule.protoInvert ? ' !' : ''} -p ${protoToName(rule.proto, false) ?? rule.proto}`;
  }
  if (rule.fragment) s += `${rule.fragment.invert ? ' !' : ''} -f`;
  for (const m of matchesInSaveOrder(rule.matches)) {
    s += ` -m ${m.kind}${matchDefOf(m).save(m)}`;
  }
  if (opts.counters) s += ` -c ${opts.counters.packets} ${opts.counters.bytes}`;
  const a = rule.action;
  switch (a.kind) {
    case 'none':
      break;
    case 'verdict':
      s += ` -j ${a.verdict}`;
      break;
    case 'jump':
      s += ` -j ${a.chain}`;
      break;
    case 'goto':
      s += ` -g ${a.chain}`;
      break;
    case 'target':
      s += ` -j ${targetName(a.target)}${targetDefOf(a.target).save(a.target)}`;
      break;
  }
  return s;
}

/** `-A CHAIN ...`, as iptables-save and `iptables -S` print a rule (no newline). */
export function formatRule(chain: string, rule: Rule, opts: RuleTextOptions = {}): string {
  return `-A ${chain}${formatRuleSpec(rule, opts)}`;
}
