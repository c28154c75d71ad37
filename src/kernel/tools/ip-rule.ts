/**
 * `ip rule add|delete|show|list`: IPv4 policy routing rules.
 *
 * Models: iproute2 6.x `ip/iprule.c`: `iprule_modify` (selectors `not`, `from`, `to`, `fwmark
 * M[/MASK]`, `iif`/`dev`, `oif`, `pref`/`priority`/`order`; actions `table`/`lookup T` or a
 * type `blackhole`/`unreachable`/`prohibit`; without either the rule looks up main), and
 * `print_rule` (`PRIO:\t[not ]from all|A[/L] [to P] [fwmark 0xM[/0xMASK]] [iif D [detached]]
 * [oif D [detached]] lookup T|TYPE`, fields separated by single spaces, no trailing space).
 * Rule order, default priorities and EEXIST/ENOENT answers are the IPv4 module's
 * (`net/core/fib_rules.c`).
 * Leaves out: `tos`, `realms`, `goto`, `nop`, `nat`, `uidrange`, `ipproto`, ports,
 * `suppress_prefixlength`, `l3mdev`, `flush`, `save`/`restore`.
 */
import { formatIpv4, type Cidr } from '../../packet/index.js';
import { ipv4Of, routeTableName, type FibRule as Rule, type FibRuleAction as RuleAction, type FibRuleSpec as RuleSpec } from '../ipv4/index.js';
import { Args, invarg, matches, parseCUnsigned, parsePrefixArg, validIfname } from './cli-args.js';
import { familyWord, must, unknownCommand, type IpContext } from './ip-context.js';
import { tableId } from './ip-route.js';
import type { NetNamespace } from '../netns.js';

function prefixText(c: Cidr): string {
  return c.prefix === 32 ? formatIpv4(c.address) : `${formatIpv4(c.address)}/${c.prefix}`;
}

/** One `ip rule show` line. */
export function formatRule(rule: Rule, ns: NetNamespace): string {
  const w: string[] = [];
  if (rule.not) w.push('not');
  w.push('from', rule.from === undefined || rule.from.prefix === 0 ? 'all' : prefixText(rule.from));
  if (rule.to !== undefined && rule.to.prefix > 0) w.push('to', prefixText(rule.to));
  if (rule.fwmark !== undefined) {
    const mark = `0x${rule.fwmark.toString(16)}`;
    w.push('fwmark', rule.fwmask === 0xffffffff ? mark : `${mark}/0x${rule.fwmask.toString(16)}`);
  }
  if (rule.iif !== undefined) w.push('iif', ns.device(rule.iif) === undefined ? `${rule.iif} [detached]` : rule.iif);
  if (rule.oif !== undefined) w.push('oif', ns.device(rule.oif) === undefined ? `${rule.oif} [detached]` : rule.oif);
  if (rule.action === 'lookup') w.push('lookup', routeTableName(rule.table));
  else w.push(rule.action);
  return `${rule.priority}:\t${w.join(' ')}\n`;
}

const ACTIONS: readonly RuleAction[] = ['blackhole', 'unreachable', 'prohibit'];

function parseRule(ctx: IpContext, args: Args): RuleSpec {
  const spec: { -readonly [K in keyof RuleSpec]?: RuleSpec[K] } = {};
  for (; !args.done; args.shift()) {
    const w = args.cur;
    if (w === 'not') spec.not = true;
    else if (w === 'from') spec.from = parsePrefixArg(args.next(), familyWord(ctx));
    else if (w === 'to') spec.to = parsePrefixArg(args.next(), familyWord(ctx));
    else if (matches(w, 'preference') || matches(w, 'order') || matches(w, 'priority')) {
      const v = args.next();
      const n = parseCUnsigned(v);
      if (n === undefined || n > 0xffffffff) invarg('preference value is invalid\n', v);
      spec.priority = n;
    } else if (w === 'fwmark') {
      const v = args.next();
      const [markText, maskText] = v.split('/');
      const mark = parseCUnsigned(markText ?? '');
      if (mark === undefined) invarg('fwmark value is invalid\n', markText ?? v);
      spec.fwmark = mark;
      if (maskText !== undefined) {
        const mask = parseCUnsigned(maskText);
        if (mask === undefined) invarg('fwmask value is invalid\n', maskText);
        spec.fwmask = mask;
      }
    } else if (matches(w, 'table') || w === 'lookup') {
      const v = args.next();
      spec.table = tableId(v) ?? invarg('invalid table ID\n', v);
      spec.action = 'lookup';
    } else if (w === 'dev' || w === 'iif') {
      const v = args.next();
      if (!validIfname(v)) invarg('"iif"/"dev" not a valid ifname', v);
      spec.iif = v;
    } else if (w === 'oif') {
      const v = args.next();
      if (!validIfname(v)) invarg('"oif" not a valid ifname', v);
      spec.oif = v;
    } else {
      if (w === 'type') args.next();
      const t = args.cur === 'reject' ? 'prohibit' : args.cur;
      if (!(ACTIONS as readonly string[]).includes(t)) invarg('Failed to parse rule type', args.cur);
      spec.action = t as RuleAction;
    }
  }
  return spec;
}

/** `ip rule show`. */
export function ipRuleList(ctx: IpContext): string {
  if (ctx.opts.family === 'inet6' || ctx.opts.family === 'link') return '';
  return ipv4Of(ctx.ns)
    .fib.rules.list()
    .map(r => formatRule(r, ctx.ns))
    .join('');
}

/** `ip rule ...`. */
export function doIpRule(ctx: IpContext, words: readonly string[]): number {
  const args = new Args(words);
  const cmd = args.done ? 'list' : args.shift();
  if (matches(cmd, 'list') || matches(cmd, 'lst') || matches(cmd, 'show')) {
    ctx.proc.out(ipRuleList(ctx));
    return 0;
  }
  const st = ipv4Of(ctx.ns);
  if (matches(cmd, 'add')) {
    must(st.ruleAdd(parseRule(ctx, new Args(args.rest()))));
    return 0;
  }
  if (matches(cmd, 'delete')) {
    must(st.ruleDel(parseRule(ctx, new Args(args.rest()))));
    return 0;
  }
  unknownCommand(cmd, 'rule');
}
