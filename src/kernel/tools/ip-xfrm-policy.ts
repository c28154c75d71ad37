/**
 * `ip xfrm policy add|update|delete|get|deleteall|list|flush|count`: the security policy
 * database of a namespace.
 *
 * Models: iproute2 6.x `ip/xfrm_policy.c`: `do_xfrm_policy` (commands by abbreviation in its
 * order; no command lists), `xfrm_policy_modify` (`dir` (required: `Not enough information: DIR
 * is required.`), `ptype`, `action allow|block`, `priority`, `flag localok|icmp`, `tmpl TMPL`
 * any number of times, and one SELECTOR; a second selector word is `duplicate "unknown"`),
 * `xfrm_tmpl_parse` (ID, `mode`, `reqid`, `level required|use`), `xfrm_policy_get_or_delete`
 * (`either SELECTOR or INDEX is required`), `xfrm_policy_list_or_deleteall` with
 * `xfrm_policy_filter_match` (direction, selector addresses, device, protocol, ports, action,
 * priority, flag), `xfrm_policy_flush`, `print_spdinfo` (`\t SPD IN  N OUT N FWD N`).
 * What the kernel answers is the xfrm module's.
 * Leaves out: `index`, `ctx`, `mark`, limits, `if_id`, `offload`, `ptype sub`, `set`
 * (hash thresholds), socket policies, `-s`.
 */
import { cidrContains } from '../../packet/index.js';
import { ANY_SELECTOR, netnsXfrm, XFRM_ERRORS, xfrmOf, type XfrmAction, type XfrmDir, type XfrmPolicy, type XfrmPolicyFlag, type XfrmTemplate } from '../xfrm/index.js';
import { die, duparg, invarg, matches } from './cli-args.js';
import { must, type IpContext } from './ip-context.js';
import { Argv, flagsArg, missarg, modeArg, parseId, parseSelector, refuse, u32Arg, type SelectorArg } from './ip-xfrm-args.js';
import { formatPolicy, onelineRecord } from './xfrm-view.js';

const POLICY_USAGE =
  'Usage: ip xfrm policy { add | update } SELECTOR dir DIR [ ctx CTX ]\n' +
  '        [ mark MARK [ mask MASK ] ] [ index INDEX ] [ ptype PTYPE ]\n' +
  '        [ action ACTION ] [ priority PRIORITY ] [ flag FLAG-LIST ]\n' +
  '        [ LIMIT-LIST ] [ TMPL-LIST ]\n' +
  'Usage: ip xfrm policy { delete | get } { SELECTOR | index INDEX } dir DIR\n' +
  '        [ ctx CTX ] [ mark MARK [ mask MASK ] ] [ ptype PTYPE ]\n' +
  'Usage: ip xfrm policy { deleteall | list } [ SELECTOR ] [ dir DIR ]\n' +
  '        [ index INDEX ] [ ptype PTYPE ] [ action ACTION ] [ priority PRIORITY ]\n' +
  '        [ flag FLAG-LIST ]\n' +
  'Usage: ip xfrm policy flush [ ptype PTYPE ]\n' +
  'Usage: ip xfrm policy count\n' +
  'Usage: ip xfrm policy set [ hthresh4 LBITS RBITS ] [ hthresh6 LBITS RBITS ]\n' +
  'SELECTOR := [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ] [ dev DEV ] [ UPSPEC ]\n' +
  'UPSPEC := proto { { tcp | udp | sctp | dccp } [ sport PORT ] [ dport PORT ] |\n' +
  '                  { icmp | ipv6-icmp | mobility-header } [ type NUMBER ] [ code NUMBER ] |\n' +
  '                  gre [ key { DOTTED-QUAD | NUMBER } ] | PROTO }\n' +
  'DIR := in | out | fwd\n' +
  'PTYPE := main | sub\n' +
  'ACTION := allow | block\n' +
  'FLAG-LIST := [ FLAG-LIST ] FLAG\n' +
  'FLAG := localok | icmp\n' +
  'LIMIT-LIST := [ LIMIT-LIST ] limit LIMIT\n' +
  'LIMIT := { time-soft | time-hard | time-use-soft | time-use-hard } SECONDS |\n' +
  '         { byte-soft | byte-hard } SIZE | { packet-soft | packet-hard } COUNT\n' +
  'TMPL-LIST := [ TMPL-LIST ] tmpl TMPL\n' +
  'TMPL := ID [ mode MODE ] [ reqid REQID ] [ level LEVEL ]\n' +
  'ID := [ src ADDR ] [ dst ADDR ] [ proto XFRM-PROTO ] [ spi SPI ]\n' +
  'XFRM-PROTO := esp | ah | comp | route2 | hao\n' +
  'MODE := transport | tunnel | beet | ro | in_trigger\n' +
  'LEVEL := required | use\n';

const NOT_MODELLED = new Set(['ctx', 'mark', 'index', 'limit', 'if_id', 'offload']);
const POLICY_FLAGS: readonly XfrmPolicyFlag[] = ['localok', 'icmp'];

/** `ip xfrm policy ...` (the words after `policy`). */
export function doXfrmPolicy(ctx: IpContext, a: Argv): number {
  if (!a.more) return listOrDeleteAll(ctx, a, false);
  const cmd = a.cur;
  const rest = new Argv(a.words.slice(1));
  if (matches(cmd, 'add')) return modify(ctx, rest, false);
  if (matches(cmd, 'update')) return modify(ctx, rest, true);
  if (matches(cmd, 'delete')) return getOrDelete(ctx, rest, true);
  if (matches(cmd, 'deleteall') || matches(cmd, 'delall')) return listOrDeleteAll(ctx, rest, true);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return listOrDeleteAll(ctx, rest, false);
  if (matches(cmd, 'get')) return getOrDelete(ctx, rest, false);
  if (matches(cmd, 'flush')) return flush(ctx, rest);
  if (matches(cmd, 'count')) {
    const x = netnsXfrm(ctx.ns);
    ctx.proc.out(`\t SPD IN  ${x?.policyCount('in') ?? 0} OUT ${x?.policyCount('out') ?? 0} FWD ${x?.policyCount('fwd') ?? 0}\n`);
    return 0;
  }
  if (matches(cmd, 'set')) die('ip xfrm policy set is not modelled\n', 1);
  if (matches(cmd, 'help')) die(POLICY_USAGE, 255);
  die(`Command "${cmd}" is unknown, try "ip xfrm policy help".\n`, 255);
}

/** `xfrm_policy_dir_parse`. */
function dirArg(text: string): XfrmDir {
  if (text === 'in' || text === 'out' || text === 'fwd') return text;
  invarg('DIR value is invalid', text);
}

/** `xfrm_policy_ptype_parse`: only the main type is modelled. */
function ptypeArg(text: string): 'main' {
  if (text === 'sub') refuse(XFRM_ERRORS.notModelled('ptype sub'));
  if (text !== 'main') invarg('PTYPE value is invalid', text);
  return text;
}

function actionArg(text: string): XfrmAction {
  if (text === 'allow' || text === 'block') return text;
  invarg('ACTION value is invalid\n', text);
}


/** `xfrm_tmpl_parse`, from the word after `tmpl`. */
function templateArg(ctx: IpContext, a: Argv): XfrmTemplate {
  const start = a.i;
  let mode = 'transport';
  let reqid = 0;
  let optional = false;
  let id: ReturnType<typeof parseId> | undefined;
  for (;;) {
    const w = a.cur;
    if (w === 'mode') mode = modeArg(a.next());
    else if (w === 'reqid') reqid = u32Arg(a.next(), '"REQID" is invalid');
    else if (w === 'level') {
      const v = a.next();
      if (v === 'required') optional = false;
      else if (v === 'use') optional = true;
      else invarg('LEVEL value is invalid\n', v);
    } else if (id !== undefined) {
      a.prev();
      break;
    } else {
      id = parseId(ctx, a, false);
    }
    if (!a.nextOk()) break;
    a.next();
  }
  if (a.i === start) missarg('TMPL');
  if (mode !== 'transport' && mode !== 'tunnel') refuse(XFRM_ERRORS.notModelled(`mode ${mode}`));
  return { src: id?.src ?? 0, dst: id?.dst ?? 0, proto: id?.proto ?? 0, spi: id?.spi ?? 0, reqid, mode, optional };
}

/** `xfrm_policy_modify`: `ip xfrm policy add|update`. */
function modify(ctx: IpContext, a: Argv, update: boolean): number {
  let dir: XfrmDir | undefined;
  let ptype: 'main' | undefined;
  let action: XfrmAction = 'allow';
  let priority = 0;
  const flags = new Set<XfrmPolicyFlag>();
  const templates: XfrmTemplate[] = [];
  let sel: SelectorArg | undefined;
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w === 'dir') {
      if (dir !== undefined) duparg('dir', w);
      dir = dirArg(a.next());
    } else if (NOT_MODELLED.has(w)) refuse(XFRM_ERRORS.notModelled(`"${w}"`));
    else if (w === 'ptype') {
      if (ptype !== undefined) duparg('ptype', w);
      ptype = ptypeArg(a.next());
    } else if (w === 'action') action = actionArg(a.next());
    else if (w === 'priority') priority = u32Arg(a.next(), 'PRIORITY value is invalid');
    else if (w === 'flag') {
      a.next();
      flagsArg(a, flags, POLICY_FLAGS);
    } else if (w === 'tmpl') {
      a.next();
      templates.push(templateArg(ctx, a));
    } else {
      if (sel !== undefined) duparg('unknown', w);
      sel = parseSelector(ctx, a);
    }
  }
  if (dir === undefined) die('Not enough information: DIR is required.\n', 1);
  must(
    xfrmOf(ctx.ns).policyAdd(
      { sel: sel?.sel ?? ANY_SELECTOR, dir, priority, action, templates, flags: POLICY_FLAGS.filter(f => flags.has(f)) },
      update,
    ),
  );
  return 0;
}

function record(ctx: IpContext, p: XfrmPolicy): string {
  const text = formatPolicy(p, ctx.ns);
  return ctx.opts.oneline ? onelineRecord(text) : text;
}

/** `xfrm_policy_get_or_delete`. */
function getOrDelete(ctx: IpContext, a: Argv, del: boolean): number {
  let dir: XfrmDir | undefined;
  let sel: SelectorArg | undefined;
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w === 'dir') {
      if (dir !== undefined) duparg('dir', w);
      dir = dirArg(a.next());
    } else if (NOT_MODELLED.has(w)) refuse(XFRM_ERRORS.notModelled(`"${w}"`));
    else if (w === 'ptype') ptypeArg(a.next());
    else {
      if (sel !== undefined) invarg('unknown', w);
      sel = parseSelector(ctx, a);
    }
  }
  if (dir === undefined) die('Not enough information: DIR is required.\n', 1);
  if (sel === undefined) die('Not enough information: either SELECTOR or INDEX is required.\n', 1);
  if (del) {
    must(xfrmOf(ctx.ns).policyDel(sel.sel, dir));
    return 0;
  }
  const p = netnsXfrm(ctx.ns)?.policyGet(sel.sel, dir);
  if (p === undefined) refuse(XFRM_ERRORS.policyNotFound());
  ctx.proc.out(record(ctx, p));
  return 0;
}

/** `xfrm_policy_list_or_deleteall` with `xfrm_policy_filter_match`. */
function listOrDeleteAll(ctx: IpContext, a: Argv, deleteAll: boolean): number {
  let dir: XfrmDir | undefined;
  let action: XfrmAction | undefined;
  let priority: number | undefined;
  let sel: SelectorArg | undefined;
  const flags = new Set<XfrmPolicyFlag>();
  let flagFilter = false;
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w === 'dir') dir = dirArg(a.next());
    else if (w === 'index') refuse(XFRM_ERRORS.notModelled('"index"'));
    else if (w === 'ptype') ptypeArg(a.next());
    else if (w === 'action') action = actionArg(a.next());
    else if (w === 'priority') priority = u32Arg(a.next(), 'PRIORITY value is invalid');
    else if (w === 'flag') {
      a.next();
      flagsArg(a, flags, POLICY_FLAGS);
      flagFilter = true;
    } else {
      if (sel !== undefined) invarg('unknown', w);
      sel = parseSelector(ctx, a);
    }
  }
  const x = netnsXfrm(ctx.ns);
  const chosen = (x?.policies() ?? []).filter(p => {
    if (dir !== undefined && p.dir !== dir) return false;
    if (sel !== undefined) {
      const f = sel.sel;
      if (sel.given.has('src') && f.src.prefix > 0 && !cidrContains(f.src, p.sel.src.address)) return false;
      if (sel.given.has('dst') && f.dst.prefix > 0 && !cidrContains(f.dst, p.sel.dst.address)) return false;
      if (sel.given.has('dev') && p.sel.ifindex !== f.ifindex) return false;
      if (sel.given.has('proto') && p.sel.proto !== f.proto) return false;
      if (sel.given.has('sport') && p.sel.sport !== f.sport) return false;
      if (sel.given.has('dport') && p.sel.dport !== f.dport) return false;
    }
    if (action !== undefined && p.action !== action) return false;
    if (priority !== undefined && p.priority !== priority) return false;
    return !flagFilter || p.flags.some(f => flags.has(f));
  });
  for (const p of chosen) {
    if (deleteAll) x?.policyDel(p.sel, p.dir);
    else ctx.proc.out(record(ctx, p));
  }
  return 0;
}

/** `xfrm_policy_flush`. */
function flush(ctx: IpContext, a: Argv): number {
  let ptype: 'main' | undefined;
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w !== 'ptype') invarg('unknown', w);
    if (ptype !== undefined) duparg('ptype', w);
    ptype = ptypeArg(a.next());
  }
  netnsXfrm(ctx.ns)?.policyFlush();
  return 0;
}
