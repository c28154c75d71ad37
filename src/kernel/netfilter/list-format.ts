/**
 * `iptables -L [-n] [-v] [-x] [--line-numbers]` and `iptables -S [-v]` output.
 *
 * Models: iptables/xshared.c `print_header` (`Chain X (policy ACCEPT 0 packets, 0 bytes)` or
 * `(N references)`, then the column line), `print_rule_details` (line number, counters, target,
 * protocol: a number under -n, since 1.8.8), `print_fragment` (`--`), `print_ifaces` (`*` or
 * `any`), `print_ipv4_addresses` (`0.0.0.0/0`, `anywhere` without -n, no `/32`), libxtables
 * `xtables_print_num` (K/M/G/T units unless -x), nft-ipv4.c `nft_ipv4_print_rule` (`[goto] `,
 * then each match's and the target's print text), and nft.c `nft_rule_list` /
 * `nft_rule_list_save` (`-P`/`-N` lines first for -S; a blank line between chains for -L).
 *
 *   Chain FORWARD (policy DROP)
 *   target     prot opt source               destination
 *   DOCKER-USER  all  --  0.0.0.0/0            0.0.0.0/0
 *
 * Leaves out: reverse DNS without -n (addresses stay numeric, `anywhere` is kept); IPv6.
 * Invariant: output text only; reading never changes the table.
 */
import { formatIpv4 } from '../../packet/index.js';
import { formatRule, ifaceText, matchesInSaveOrder } from './format-rule.js';
import { matchDefOf } from './matches/registry.js';
import { protoToName } from './names.js';
import type { AddrSpec, IfaceSpec, Rule } from './rule.js';
import { chainsInOrder, referenceCount, type ChainState, type TableState } from './table.js';
import { targetDefOf } from './targets/registry.js';
import { ipmaskToNumeric } from './xt-parse.js';

export interface ListOptions {
  readonly numeric: boolean;
  readonly verbose: boolean;
  readonly exact: boolean;
  readonly lineNumbers: boolean;
}

const pad = (s: string, n: number) => s.padEnd(n, ' ');
const lpad = (s: string, n: number) => s.padStart(n, ' ');

/** `xtables_print_num`; `notable` is FMT_NOTABLE (no padding). */
export function printNum(n: number, exact: boolean, notable: boolean): string {
  if (exact) return notable ? `${n} ` : `${lpad(`${n}`, 8)} `;
  if (n <= 99999) return notable ? `${n} ` : `${lpad(`${n}`, 5)} `;
  let v = n;
  for (const unit of ['K', 'M', 'G']) {
    v = Math.floor((v + 500) / 1000);
    if (v <= 9999) return notable ? `${v}${unit} ` : `${lpad(`${v}`, 4)}${unit} `;
  }
  v = Math.floor((v + 500) / 1000);
  return notable ? `${v}T ` : `${lpad(`${v}`, 4)}T `;
}

function header(t: TableState, c: ChainState, o: ListOptions): string {
  let s = `Chain ${c.name}`;
  if (c.builtin) {
    s += ` (policy ${c.policy}`;
    if (o.verbose) s += ` ${printNum(c.packets, o.exact, true)}packets, ${printNum(c.bytes, o.exact, true)}bytes`;
    s += ')\n';
  } else {
    s += ` (${referenceCount(t, c.name)} references)\n`;
  }
  if (o.lineNumbers) s += `${pad('num', 4)} `;
  if (o.verbose) s += o.exact ? `${lpad('pkts', 8)} ${lpad('bytes', 10)} ` : `${lpad('pkts', 5)} ${lpad('bytes', 5)} `;
  s += `${pad('target', 9)} `;
  s += ' prot opt';
  if (o.verbose) s += ` ${pad('in', 6)} ${pad('out', 6)} `;
  s += ` ${pad('source', 19)} `;
  s += ` ${pad('destination', 19)} `;
  return `${s}\n`;
}

function addrString(a: AddrSpec, numeric: boolean): string {
  if (a.mask === 0 && !numeric) return 'anywhere';
  return `${formatIpv4(a.addr)}${ipmaskToNumeric(a.mask)}`;
}

function ifaceString(i: IfaceSpec | undefined, numeric: boolean): string {
  if (i === undefined) return numeric ? '*' : 'any';
  return `${i.invert ? '!' : ''}${ifaceText(i)}`;
}

export function listTargetName(rule: Rule): string {
  const a = rule.action;
  switch (a.kind) {
    case 'none':
      return '';
    case 'verdict':
      return a.verdict;
    case 'jump':
    case 'goto':
      return a.chain;
    case 'target':
      return a.target.kind;
  }
}

/** One rule line of `iptables -L` (without the newline). */
export function listRuleLine(rule: Rule, num: number, counters: { packets: number; bytes: number }, o: ListOptions): string {
  let s = '';
  if (o.lineNumbers) s += `${pad(`${num}`, 4)} `;
  if (o.verbose) s += printNum(counters.packets, o.exact, false) + printNum(counters.bytes, o.exact, false);
  s += `${pad(listTargetName(rule), 9)} `;
  s += rule.protoInvert ? '!' : ' ';
  const pname = protoToName(rule.proto, o.numeric);
  s += o.numeric || pname === undefined ? `${pad(`${rule.proto}`, 4)} ` : `${pad(pname, 4)} `;
  s += `${rule.fragment?.invert === true ? '!' : '-'}${rule.fragment ? 'f' : '-'} `;
  if (o.verbose) {
    s += ` ${pad(ifaceString(rule.inIface, o.numeric), 6)} `;
    s += `${pad(ifaceString(rule.outIface, o.numeric), 6)} `;
  }
  s += `${rule.src.invert ? '!' : ' '}${pad(addrString(rule.src, o.numeric), 19)} `;
  s += `${rule.dst.invert ? '!' : ' '}${pad(addrString(rule.dst, o.numeric), 19)} `;
  if (rule.action.kind === 'goto') s += '[goto] ';
  for (const m of matchesInSaveOrder(rule.matches)) s += matchDefOf(m).print(m, o.numeric);
  if (rule.action.kind === 'target') s += targetDefOf(rule.action.target).print(rule.action.target, o.numeric);
  return s;
}

function chainBlock(t: TableState, c: ChainState, o: ListOptions): string {
  let s = header(t, c, o);
  c.rules.forEach((e, i) => {
    s += `${listRuleLine(e.rule, i + 1, e, o)}\n`;
  });
  return s;
}

/** `iptables -L [chain [rulenum]]`; undefined when the chain does not exist. */
export function listTable(t: TableState, chain: string | undefined, rulenum: number, o: ListOptions): string | undefined {
  if (chain !== undefined) {
    const c = t.chains.get(chain);
    if (c === undefined) return undefined;
    if (rulenum > 0) {
      const e = c.rules[rulenum - 1];
      return e === undefined ? '' : `${listRuleLine(e.rule, rulenum, e, o)}\n`;
    }
    return chainBlock(t, c, o);
  }
  return chainsInOrder(t)
    .map((c) => chainBlock(t, c, o))
    .join('\n');
}

function chainSaveLine(c: ChainState, counters: boolean): string {
  if (!c.builtin) return `-N ${c.name}\n`;
  return `-P ${c.name} ${c.policy}${counters ? ` -c ${c.packets} ${c.bytes}` : ''}\n`;
}

function ruleSaveLines(c: ChainState, counters: boolean, only?: number): string {
  return c.rules
    .filter((_, i) => only === undefined || i + 1 === only)
    .map((e) => `${formatRule(c.name, e.rule, counters ? { counters: e } : {})}\n`)
    .join('');
}

/** `iptables -S [chain [rulenum]] [-v]`; undefined when the chain does not exist. */
export function listRules(t: TableState, chain: string | undefined, rulenum: number, counters: boolean): string | undefined {
  if (chain !== undefined) {
    const c = t.chains.get(chain);
    if (c === undefined) return undefined;
    if (rulenum > 0) return ruleSaveLines(c, counters, rulenum);
    return chainSaveLine(c, counters) + ruleSaveLines(c, counters);
  }
  const chains = chainsInOrder(t);
  return chains.map((c) => chainSaveLine(c, counters)).join('') + chains.map((c) => ruleSaveLines(c, counters)).join('');
}
