/**
 * `-m icmp --icmp-type` (loaded implicitly by `-p icmp --icmp-type ...`).
 *
 * Models: extensions/libipt_icmp.c `parse_icmp` (case-insensitive prefix lookup in
 * `xtables_icmp_codes`, "Ambiguous ICMP type" when a prefix names two, else `type[/code]`
 * numbers), `icmp_save` (always numeric: `--icmp-type 3/4`, `any`), `print_icmptype` (the
 * famous `icmptype 8` of `iptables -L -n`: no space after "icmp"), and net/ipv4/netfilter/
 * ip_tables.c `icmp_match` / `icmp_type_code_match` (type 255 matches every type).
 * Leaves out: code ranges (`type/min:max`, newer iptables).
 * Invariant: codeMin <= codeMax, both 0..255.
 */
import { paramProblem } from '../errors.js';
import type { MatchDef } from '../ext-def.js';
import { ICMP_CODES } from '../names.js';
import { strtoul } from '../xt-parse.js';

export interface IcmpMatch {
  readonly kind: 'icmp';
  readonly type: number;
  readonly codeMin: number;
  readonly codeMax: number;
  readonly invert: boolean;
}

function parseIcmp(text: string): { type: number; codeMin: number; codeMax: number } {
  let found: (typeof ICMP_CODES)[number] | undefined;
  for (const c of ICMP_CODES) {
    if (c.name.toLowerCase().startsWith(text.toLowerCase())) {
      if (found !== undefined) paramProblem(`Ambiguous ICMP type \`${text}': \`${found.name}' or \`${c.name}'?`);
      found = c;
    }
  }
  if (found !== undefined) return { type: found.type, codeMin: found.codeMin, codeMax: found.codeMax };
  const slash = text.indexOf('/');
  const typeText = slash >= 0 ? text.slice(0, slash) : text;
  const type = strtoul(typeText, 0, 255);
  if (type === undefined) paramProblem(`Invalid ICMP type \`${typeText}'\n`);
  if (slash < 0) return { type, codeMin: 0, codeMax: 0xff };
  const code = strtoul(text.slice(slash + 1), 0, 255);
  if (code === undefined) paramProblem(`Invalid ICMP code \`${text.slice(slash + 1)}'\n`);
  return { type, codeMin: code, codeMax: code };
}

function isAny(d: IcmpMatch): boolean {
  return d.type === 0xff && d.codeMin === 0 && d.codeMax === 0xff;
}

export const icmpMatch: MatchDef<IcmpMatch> = {
  name: 'icmp',
  options: [{ name: 'icmp-type', hasArg: true, invert: true }],
  init: () => ({ kind: 'icmp', type: 0xff, codeMin: 0, codeMax: 0xff, invert: false }),
  parse: (d, call) => ({ ...d, ...parseIcmp(call.arg), invert: call.invert }),
  final(d, call) {
    if (!call.seen.has('icmp-type')) paramProblem('icmp: option "--icmp-type" must be specified\n');
    return d;
  },
  save(d) {
    const i = d.invert ? ' !' : '';
    if (isAny(d)) return `${i} --icmp-type any`;
    const code = d.codeMin !== 0 || d.codeMax !== 0xff ? `/${d.codeMin}` : '';
    return `${i} --icmp-type ${d.type}${code}`;
  },
  print(d, numeric) {
    if (!numeric) {
      const named = ICMP_CODES.find((c) => c.type === d.type && c.codeMin === d.codeMin && c.codeMax === d.codeMax);
      if (named !== undefined) return ` icmp ${d.invert ? '!' : ''}${named.name}`;
    }
    let s = ` icmp${d.invert ? ' !' : ''}type ${d.type}`;
    if (d.codeMin === d.codeMax) s += ` code ${d.codeMin}`;
    else if (d.codeMin !== 0 || d.codeMax !== 0xff) s += ` codes ${d.codeMin}-${d.codeMax}`;
    return s;
  },
  match(d, pkt) {
    if (pkt.ip.fragmentOffset !== 0) return false;
    const t = pkt.l4?.icmpType;
    const c = pkt.l4?.icmpCode ?? 0;
    if (t === undefined) return false;
    const hit = d.type === 0xff || (t === d.type && c >= d.codeMin && c <= d.codeMax);
    return hit !== d.invert;
  },
  kernelCheck(_d, info) {
    if (info.proto !== 1 || info.protoInvert) return 'icmp match: only valid for protocol 1';
    return undefined;
  },
};
