/**
 * The argument parsers `ip xfrm state` and `ip xfrm policy` share: ID, SELECTOR with its
 * UPSPEC, MODE, and iproute2's way of walking `argv`.
 *
 * Models: iproute2 6.x `ip/ipxfrm.c`: `xfrm_id_parse` (`src`, `dst`, `proto`, `spi` in any order
 * as one group that ends at the first other word; XFRM-PROTO is required unless listing:
 * `Error: argument "XFRM-PROTO" is required`), `xfrm_selector_parse` /
 * `xfrm_selector_upspec_parse` (`src`/`dst` prefixes, `dev`, then one UPSPEC group of `proto`,
 * `sport`/`dport` (TCP, UDP, SCTP, DCCP) or `type`/`code` (ICMP); `sport 0` sets no mask),
 * `xfrm_mode_parse`, `xfrm_reqid_parse`, `lib/utils.c` `missarg`, and `ip/ip_common.h`
 * `NEXT_ARG`/`NEXT_ARG_OK`/`PREV_ARG`: a group parser stops on its last word (or one before its
 * first, when it took none), and the caller's loop moves on from there, so the quirks of
 * iproute2's messages come out the same.
 * Leaves out: IPv6 addresses, GRE `key` and MH selectors.
 */
import type { Ipv4 } from '../../packet/index.js';
import { IPPROTO_ICMP } from '../../packet/index.js';
import type { IprouteError } from '../ipv4/index.js';
import { upspecHasPorts, type XfrmMode, type XfrmSelector } from '../xfrm/index.js';
import { die, incompleteCommand, invarg, matches, parseCUnsigned, parsePrefixArg } from './cli-args.js';
import { familyWord, type IpContext } from './ip-context.js';
import { protocolByName, protocolName } from './xfrm-view.js';

/** iproute2's `argc`/`argv` walk: `cur` is `*argv`; `next` is `NEXT_ARG`, `prev` is `PREV_ARG`. */
export class Argv {
  i = 0;

  constructor(readonly words: readonly string[]) {}

  get more(): boolean {
    return this.i < this.words.length;
  }

  get cur(): string {
    return this.words[this.i] ?? '';
  }

  /** `NEXT_ARG()`: the next word, or "Command line is not complete". */
  next(): string {
    this.i++;
    if (this.i >= this.words.length) incompleteCommand();
    return this.cur;
  }

  /** `NEXT_ARG_OK()`. */
  nextOk(): boolean {
    return this.i + 1 < this.words.length;
  }

  prev(): void {
    this.i--;
  }
}

/** `missarg(key)`. */
export function missarg(key: string): never {
  die(`Error: argument "${key}" is required\n`, 255);
}

/**
 * `xfrm_state_flag_parse` / `xfrm_policy_flag_parse`: flag names until another word, or one
 * `0xNN` whose bits index `names`.
 */
export function flagsArg<F extends string>(a: Argv, flags: Set<F>, names: readonly F[]): void {
  const w = a.cur;
  if (w.length > 2 && w.startsWith('0x')) {
    if (!/^[0-9a-fA-F]{1,2}$/.test(w.slice(2))) invarg('FLAG value is invalid', w);
    const n = Number.parseInt(w.slice(2), 16);
    flags.clear();
    names.forEach((f, bit) => {
      if ((n & (1 << bit)) !== 0) flags.add(f);
    });
    return;
  }
  for (;;) {
    const f = names.find(name => name === a.cur);
    if (f === undefined) {
      a.prev();
      return;
    }
    flags.add(f);
    if (!a.nextOk()) return;
    a.next();
  }
}

/** `get_u32(&v, arg, 0)` or `invarg(msg, arg)`. */
export function u32Arg(text: string, msg: string): number {
  const n = parseCUnsigned(text);
  if (n === undefined || n > 0xffffffff) invarg(msg, text);
  return n;
}

/** `xfrm_mode_parse`. */
export function modeArg(text: string): XfrmMode | 'beet' | 'ro' | 'in_trigger' {
  if (matches(text, 'transport')) return 'transport';
  if (matches(text, 'tunnel')) return 'tunnel';
  if (matches(text, 'ro')) return 'ro';
  if (matches(text, 'in_trigger')) return 'in_trigger';
  if (matches(text, 'beet')) return 'beet';
  invarg('"MODE" is invalid', text);
}

/** An ID group (`xfrm_id_parse`), with the prefix lengths a listing filters by. */
export interface XfrmIdArg {
  readonly src: Ipv4;
  readonly srcLen: number | undefined;
  readonly dst: Ipv4;
  readonly dstLen: number | undefined;
  readonly proto: number;
  readonly spi: number | undefined;
}

const XFRM_PROTOS: Readonly<Record<string, number>> = { esp: 50, ah: 51, comp: 108, route2: 43, hao: 60, 'ipsec-any': 255 };

/** `xfrm_xfrmproto_getbyname`, or `invarg(msg, text)`. */
export function xfrmProtoArg(text: string, msg: string): number {
  return XFRM_PROTOS[text] ?? invarg(msg, text);
}

/** A kernel refusal: its text and status (`rtnl_talk` failed, exit 2). */
export function refuse(error: IprouteError): never {
  die(`${error.error}\n`, error.exitCode);
}

/** `xfrm_id_parse(..., loose)`, from the current word; leaves `a` on the group's last word. */
export function parseId(ctx: IpContext, a: Argv, loose: boolean): XfrmIdArg {
  const start = a.i;
  let src = 0;
  let dst = 0;
  let srcLen: number | undefined;
  let dstLen: number | undefined;
  let proto = 0;
  let spi: number | undefined;
  for (;;) {
    const w = a.cur;
    if (w === 'src') {
      const c = parsePrefixArg(a.next(), familyWord(ctx));
      src = c.address;
      srcLen = c.prefix;
    } else if (w === 'dst') {
      const c = parsePrefixArg(a.next(), familyWord(ctx));
      dst = c.address;
      dstLen = c.prefix;
    } else if (w === 'proto') {
      proto = xfrmProtoArg(a.next(), '"XFRM-PROTO" is invalid');
    } else if (w === 'spi') {
      spi = u32Arg(a.next(), '"SPI" is invalid');
    } else {
      a.prev();
      break;
    }
    if (!a.nextOk()) break;
    a.next();
  }
  if (!loose && proto === 0) missarg('XFRM-PROTO');
  if (a.i === start) missarg('ID');
  return { src, srcLen, dst, dstLen, proto, spi };
}

/** A SELECTOR (`xfrm_selector_parse`), with the words it was given for listing filters. */
export interface SelectorArg {
  readonly sel: XfrmSelector;
  readonly given: ReadonlySet<'src' | 'dst' | 'dev' | 'proto' | 'sport' | 'dport'>;
}

/** `xfrm_selector_parse` from the current word; leaves `a` on the selector's last word. */
export function parseSelector(ctx: IpContext, a: Argv): SelectorArg {
  const start = a.i;
  const given = new Set<'src' | 'dst' | 'dev' | 'proto' | 'sport' | 'dport'>();
  let src = { address: 0, prefix: 0 };
  let dst = { address: 0, prefix: 0 };
  let ifindex = 0;
  let upspec: Pick<XfrmSelector, 'proto' | 'sport' | 'dport'> | undefined;
  for (;;) {
    const w = a.cur;
    if (w === 'src') {
      src = parsePrefixArg(a.next(), familyWord(ctx));
      given.add('src');
    } else if (w === 'dst') {
      dst = parsePrefixArg(a.next(), familyWord(ctx));
      given.add('dst');
    } else if (w === 'dev') {
      const v = a.next();
      ifindex = v === 'none' ? 0 : (ctx.ns.device(v)?.ifindex ?? invarg('"DEV" is invalid', v));
      given.add('dev');
    } else if (upspec !== undefined) {
      a.prev();
      break;
    } else {
      upspec = parseUpspec(a, given);
    }
    if (!a.nextOk()) break;
    a.next();
  }
  if (a.i === start) missarg('SELECTOR');
  return { sel: { src, dst, proto: upspec?.proto ?? 0, sport: upspec?.sport, dport: upspec?.dport, ifindex }, given };
}

/** `xfrm_selector_upspec_parse`. */
function parseUpspec(a: Argv, given: Set<string>): Pick<XfrmSelector, 'proto' | 'sport' | 'dport'> {
  const start = a.i;
  let proto = 0;
  let sport: number | undefined;
  let dport: number | undefined;
  let ports = false;
  let typeCode = false;
  for (;;) {
    const w = a.cur;
    if (w === 'proto') {
      const v = a.next();
      proto = v === 'any' ? 0 : (protocolByName(v) ?? u8Arg(v, '"PROTO" is invalid'));
      given.add('proto');
    } else if (w === 'sport' || w === 'dport') {
      const v = a.next();
      const n = parseCUnsigned(v);
      if (n === undefined || n > 0xffff) invarg('"PORT" is invalid', v);
      // A zero port gets no mask: it matches every port.
      if (w === 'sport') sport = n === 0 ? undefined : n;
      else dport = n === 0 ? undefined : n;
      given.add(w);
      ports = true;
    } else if (w === 'type' || w === 'code') {
      const v = a.next();
      const n = parseCUnsigned(v);
      if (n === undefined || n > 0xff) invarg(`"${w}" value is invalid`, v);
      if (w === 'type') sport = n;
      else dport = n;
      given.add(w === 'type' ? 'sport' : 'dport');
      typeCode = true;
    } else {
      a.prev();
      break;
    }
    if (!a.nextOk()) break;
    a.next();
  }
  if (a.i === start) missarg('UPSPEC');
  if (ports && !upspecHasPorts(proto)) die(`"sport" and "dport" are invalid with proto=${protocolName(proto)}\n`, 1);
  if (typeCode && proto !== IPPROTO_ICMP) die(`"type" and "code" are invalid with proto=${protocolName(proto)}\n`, 1);
  return { proto, sport, dport };
}

function u8Arg(text: string, msg: string): number {
  const n = parseCUnsigned(text);
  if (n === undefined || n > 0xff) invarg(msg, text);
  return n;
}

