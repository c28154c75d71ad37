/**
 * `ip xfrm state add|update|delete|get|deleteall|list|flush|count`: the security association
 * database of a namespace.
 *
 * Models: iproute2 6.x `ip/xfrm_state.c`: `do_xfrm_state` (commands by abbreviation, in its
 * order: add, update, allocspi, delete, deleteall/delall, list/show/lst, get, flush, count,
 * help; no command lists), `xfrm_state_modify` (`mode`, `reqid`, `seq`, `replay-window`,
 * `replay-seq`, `replay-oseq`, `flag`, `sel`, the algorithm words `enc`/`auth`/`auth-trunc`/
 * `aead`/`comp`, and one ID group; its checks and messages: `Not enough information: ID is
 * required`, `ALGO-TYPE value "enc" or "aead" is required with XFRM-PROTO value "esp"`,
 * `duplicate "ALGO-TYPE"`, `Error: esn flag set without replay-window.`), `xfrm_algo_parse`
 * (key material `0x` + hex, an odd digit count padded at the front, or the literal text),
 * `xfrm_state_flag_parse`, `xfrm_state_get_or_delete`, `xfrm_state_list_or_deleteall` and
 * `xfrm_state_filter_match` (ID prefixes, proto, SPI, mode, reqid, flag), `xfrm_state_flush`,
 * `print_sadinfo` (`\t SAD count N`). What the kernel answers is the xfrm module's.
 * Leaves out: `allocspi`, marks, limits, `encap`, `coa`, `ctx`, `extra-flag`, `output-mark`,
 * `if_id`, `offload`, `tfcpad` (each says it is not modelled), `-s`.
 */
import { cidrContains } from '../../packet/index.js';
import {
  ANY_SELECTOR,
  netnsXfrm,
  XFRM_ERRORS,
  XFRM_STATE_FLAGS,
  xfrmOf,
  type XfrmAead,
  type XfrmSelector,
  type XfrmState,
  type XfrmStateFlag,
} from '../xfrm/index.js';
import { die, duparg, invarg, matches } from './cli-args.js';
import { must, type IpContext } from './ip-context.js';
import { Argv, flagsArg, missarg, modeArg, parseId, parseSelector, refuse, u32Arg, xfrmProtoArg, type XfrmIdArg } from './ip-xfrm-args.js';
import { formatState, onelineRecord, xfrmProtoName } from './xfrm-view.js';

const STATE_USAGE =
  'Usage: ip xfrm state { add | update } ID [ ALGO-LIST ] [ mode MODE ]\n' +
  '        [ mark MARK [ mask MASK ] ] [ reqid REQID ] [ seq SEQ ]\n' +
  '        [ replay-window SIZE ] [ replay-seq SEQ ] [ replay-oseq SEQ ]\n' +
  '        [ replay-seq-hi SEQ ] [ replay-oseq-hi SEQ ]\n' +
  '        [ flag FLAG-LIST ] [ sel SELECTOR ] [ LIMIT-LIST ] [ encap ENCAP ]\n' +
  '        [ coa ADDR[/PLEN] ] [ ctx CTX ] [ extra-flag EXTRA-FLAG-LIST ]\n' +
  'Usage: ip xfrm state allocspi ID [ mode MODE ] [ mark MARK [ mask MASK ] ]\n' +
  '        [ reqid REQID ] [ seq SEQ ] [ min SPI max SPI ]\n' +
  'Usage: ip xfrm state { delete | get } ID [ mark MARK [ mask MASK ] ]\n' +
  'Usage: ip xfrm state { deleteall | list } [ ID ] [ mode MODE ] [ reqid REQID ]\n' +
  '        [ flag FLAG-LIST ]\n' +
  'Usage: ip xfrm state flush [ proto XFRM-PROTO ]\n' +
  'Usage: ip xfrm state count\n' +
  'ID := [ src ADDR ] [ dst ADDR ] [ proto XFRM-PROTO ] [ spi SPI ]\n' +
  'XFRM-PROTO := esp | ah | comp | route2 | hao\n' +
  'ALGO-LIST := [ ALGO-LIST ] ALGO\n' +
  'ALGO := { enc | auth } ALGO-NAME ALGO-KEYMAT |\n' +
  '        auth-trunc ALGO-NAME ALGO-KEYMAT ALGO-TRUNC-LEN |\n' +
  '        aead ALGO-NAME ALGO-KEYMAT ALGO-ICV-LEN |\n' +
  '        comp ALGO-NAME\n' +
  'MODE := transport | tunnel | beet | ro | in_trigger\n' +
  'FLAG-LIST := [ FLAG-LIST ] FLAG\n' +
  'FLAG := noecn | decap-dscp | nopmtudisc | wildrecv | icmp | af-unspec | align4 | esn\n' +
  'SELECTOR := [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ] [ dev DEV ] [ UPSPEC ]\n' +
  'UPSPEC := proto { { tcp | udp | sctp | dccp } [ sport PORT ] [ dport PORT ] |\n' +
  '                  { icmp | ipv6-icmp | mobility-header } [ type NUMBER ] [ code NUMBER ] |\n' +
  '                  gre [ key { DOTTED-QUAD | NUMBER } ] | PROTO }\n';

/** Words of `xfrm_state_modify` this model does not implement. */
const NOT_MODELLED = new Set(['mark', 'limit', 'encap', 'coa', 'ctx', 'extra-flag', 'output-mark', 'if_id', 'offload', 'tfcpad']);

/** `ip xfrm state ...` (the words after `state`). */
export function doXfrmState(ctx: IpContext, a: Argv): number {
  if (!a.more) return listOrDeleteAll(ctx, a, false);
  const cmd = a.cur;
  const rest = new Argv(a.words.slice(1));
  if (matches(cmd, 'add')) return modify(ctx, rest, false);
  if (matches(cmd, 'update')) return modify(ctx, rest, true);
  if (matches(cmd, 'allocspi')) die('ip xfrm state allocspi is not modelled\n', 1);
  if (matches(cmd, 'delete')) return getOrDelete(ctx, rest, true);
  if (matches(cmd, 'deleteall') || matches(cmd, 'delall')) return listOrDeleteAll(ctx, rest, true);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return listOrDeleteAll(ctx, rest, false);
  if (matches(cmd, 'get')) return getOrDelete(ctx, rest, false);
  if (matches(cmd, 'flush')) return flush(ctx, rest);
  if (matches(cmd, 'count')) {
    ctx.proc.out(`\t SAD count ${netnsXfrm(ctx.ns)?.states().length ?? 0}\n`);
    return 0;
  }
  if (matches(cmd, 'help')) die(STATE_USAGE, 255);
  die(`Command "${cmd}" is unknown, try "ip xfrm state help".\n`, 255);
}

/** `xfrm_algo_parse`'s key material: `0x` + hex digits, else the text's own bytes. */
function keymatArg(text: string): Uint8Array {
  if (text.length > 2 && text.startsWith('0x')) {
    let digits = text.slice(2);
    if (digits.length % 2 === 1) digits = `0${digits}`;
    if (!/^[0-9a-fA-F]*$/.test(digits)) invarg('ALGO-KEYMAT value is invalid', text);
    if (digits.length / 2 > 512) invarg('ALGO-KEYMAT value makes buffer overflow\n', text);
    return Uint8Array.from(Buffer.from(digits, 'hex'));
  }
  return new TextEncoder().encode(text);
}


function orderedFlags(flags: ReadonlySet<XfrmStateFlag>): XfrmStateFlag[] {
  return XFRM_STATE_FLAGS.filter(f => flags.has(f));
}

type AlgoType = 'enc' | 'auth' | 'auth-trunc' | 'aead' | 'comp';
const ALGO_TYPES: readonly AlgoType[] = ['enc', 'auth', 'comp', 'aead', 'auth-trunc'];

/** `xfrm_state_modify`: `ip xfrm state add|update`. */
function modify(ctx: IpContext, a: Argv, update: boolean): number {
  let mode = 'transport';
  let reqid = 0;
  let replayWindow = 0;
  let seq = 0;
  let oseq = 0;
  const flags = new Set<XfrmStateFlag>();
  let sel: XfrmSelector = ANY_SELECTOR;
  let id: XfrmIdArg | undefined;
  const algos = new Map<AlgoType, string>();
  let aead: XfrmAead | undefined;
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w === 'mode') mode = modeArg(a.next());
    else if (w === 'reqid') reqid = u32Arg(a.next(), '"REQID" is invalid');
    else if (w === 'seq') u32Arg(a.next(), 'SEQ value is invalid');
    else if (w === 'replay-window') replayWindow = u32Arg(a.next(), 'value after "replay-window" is invalid');
    else if (w === 'replay-seq') seq = u32Arg(a.next(), 'value after "replay-seq" is invalid');
    else if (w === 'replay-oseq') oseq = u32Arg(a.next(), 'value after "replay-oseq" is invalid');
    else if (w === 'replay-seq-hi' || w === 'replay-oseq-hi') {
      if (u32Arg(a.next(), `value after "${w}" is invalid`) !== 0) refuse(XFRM_ERRORS.notModelled('ESN'));
    } else if (w === 'flag') {
      a.next();
      flagsArg(a, flags, XFRM_STATE_FLAGS);
    } else if (w === 'sel') {
      a.next();
      sel = parseSelector(ctx, a).sel;
    } else if (NOT_MODELLED.has(w)) refuse(XFRM_ERRORS.notModelled(`"${w}"`));
    else if ((ALGO_TYPES as readonly string[]).includes(w)) {
      const type = w as AlgoType;
      const has = (t: AlgoType): boolean => algos.has(t);
      const dup =
        type === 'aead' ? has('enc') || has('auth') || has('auth-trunc') || has('aead')
        : type === 'enc' ? has('enc') || has('aead')
        : type === 'comp' ? has('comp')
        : has('auth') || has('auth-trunc') || has('aead');
      if (dup) duparg('ALGO-TYPE', w);
      if (!a.nextOk()) missarg('ALGO-NAME');
      const name = a.next();
      algos.set(type, name);
      if (type === 'comp') continue;
      if (!a.nextOk()) missarg('ALGO-KEYMAT');
      const keymat = keymatArg(a.next());
      if (type === 'aead') {
        if (!a.nextOk()) missarg('ALGO-ICV-LEN');
        aead = { name, keymat, icvBits: u32Arg(a.next(), 'ALGO-ICV-LEN value is invalid') };
      } else if (type === 'auth-trunc') {
        if (!a.nextOk()) missarg('ALGO-TRUNC-LEN');
        u32Arg(a.next(), 'ALGO-TRUNC-LEN value is invalid');
      }
    } else {
      if (id !== undefined) invarg('unknown', w);
      id = parseId(ctx, a, false);
    }
  }
  if (flags.has('esn') && replayWindow === 0) die('Error: esn flag set without replay-window.\n', 255);
  if (id === undefined) die('Not enough information: ID is required\n', 1);
  const proto = xfrmProtoName(id.proto);
  if (id.proto === 50 || id.proto === 51 || id.proto === 108) {
    if (mode !== 'transport' && mode !== 'tunnel' && !(mode === 'beet' && id.proto === 50)) die(`MODE value is invalid with XFRM-PROTO value "${proto}"\n`, 1);
    if (id.proto === 50) {
      if (algos.has('comp')) die(`ALGO-TYPE value "comp" is invalid with XFRM-PROTO value "${proto}"\n`, 1);
      if (!algos.has('enc') && !algos.has('aead')) die(`ALGO-TYPE value "enc" or "aead" is required with XFRM-PROTO value "${proto}"\n`, 1);
    }
  }
  if (id.proto !== 50) refuse(XFRM_ERRORS.notModelled(`an xfrm state of protocol ${proto} (only esp)`));
  if (mode !== 'transport' && mode !== 'tunnel') refuse(XFRM_ERRORS.notModelled(`mode ${mode}`));
  const other = [...algos].find(([t]) => t !== 'aead');
  if (other !== undefined || aead === undefined) refuse(XFRM_ERRORS.notModelled(`algorithm "${other?.[0] ?? 'aead'} ${other?.[1] ?? ''}" (only aead rfc4106(gcm(aes)))`));
  must(
    xfrmOf(ctx.ns).stateAdd(
      { src: id.src, dst: id.dst, proto: id.proto, spi: id.spi ?? 0, mode, reqid, aead, replayWindow, sel, seq, oseq, flags: orderedFlags(flags) },
      update,
    ),
  );
  return 0;
}

/** `xfrm_state_get_or_delete`. */
function getOrDelete(ctx: IpContext, a: Argv, del: boolean): number {
  let id: XfrmIdArg | undefined;
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w === 'mark') refuse(XFRM_ERRORS.notModelled('"mark"'));
    if (id !== undefined) invarg('unknown', w);
    id = parseId(ctx, a, false);
  }
  const dst = id?.dst ?? 0;
  const spi = id?.spi ?? 0;
  const proto = id?.proto ?? 0;
  if (del) {
    must(xfrmOf(ctx.ns).stateDel(dst, spi, proto));
    return 0;
  }
  const x = netnsXfrm(ctx.ns)?.stateGet(dst, spi, proto);
  if (x === undefined) refuse(XFRM_ERRORS.stateNotFound());
  ctx.proc.out(record(ctx, x));
  return 0;
}

function record(ctx: IpContext, x: XfrmState): string {
  const text = formatState(x, ctx.ns);
  return ctx.opts.oneline ? onelineRecord(text) : text;
}

/** `xfrm_state_list_or_deleteall` with `xfrm_state_filter_match`. */
function listOrDeleteAll(ctx: IpContext, a: Argv, deleteAll: boolean): number {
  let id: XfrmIdArg | undefined;
  let mode: string | undefined;
  let reqid: number | undefined;
  const flags = new Set<XfrmStateFlag>();
  let flagFilter = false;
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w === 'mode') mode = modeArg(a.next());
    else if (w === 'reqid') reqid = u32Arg(a.next(), '"REQID" is invalid');
    else if (w === 'flag') {
      a.next();
      flagsArg(a, flags, XFRM_STATE_FLAGS);
      flagFilter = true;
    } else {
      if (id !== undefined) invarg('unknown', w);
      id = parseId(ctx, a, true);
    }
  }
  const x = netnsXfrm(ctx.ns);
  const chosen = (x?.states() ?? []).filter(s => {
    if (id !== undefined) {
      if (id.srcLen !== undefined && id.srcLen > 0 && !cidrContains({ address: id.src, prefix: id.srcLen }, s.src)) return false;
      if (id.dstLen !== undefined && id.dstLen > 0 && !cidrContains({ address: id.dst, prefix: id.dstLen }, s.dst)) return false;
      if (id.proto !== 0 && s.proto !== id.proto) return false;
      if (id.spi !== undefined && s.spi !== id.spi) return false;
    }
    if (mode !== undefined && s.mode !== mode) return false;
    if (reqid !== undefined && s.reqid !== reqid) return false;
    return !flagFilter || s.flags.some(f => flags.has(f));
  });
  for (const s of chosen) {
    if (deleteAll) x?.stateDel(s.dst, s.spi, s.proto);
    else ctx.proc.out(record(ctx, s));
  }
  return 0;
}

/** `xfrm_state_flush`. */
function flush(ctx: IpContext, a: Argv): number {
  let proto: number | undefined;
  for (; a.more; a.i++) {
    const w = a.cur;
    if (w !== 'proto') invarg('unknown', w);
    if (proto !== undefined) duparg('proto', w);
    proto = xfrmProtoArg(a.next(), 'XFRM-PROTO value is invalid');
  }
  netnsXfrm(ctx.ns)?.stateFlush(proto);
  return 0;
}
