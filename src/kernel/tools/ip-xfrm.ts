/**
 * `ip xfrm`: the object switch between `state` (also `sa`) and `policy`.
 *
 * Models: iproute2 6.x `ip/ipxfrm.c` `do_xfrm`: objects by abbreviation; `ip xfrm` alone and
 * `ip xfrm help` print the usage and exit 255; another word is `Command "X" is unknown, try
 * "ip xfrm help".` (exit 255). The commands are in `ip-xfrm-state.ts` and `ip-xfrm-policy.ts`,
 * the listings in `xfrm-view.ts`, the kernel side in `../xfrm/`.
 * Leaves out: `ip xfrm monitor` (it would wait for netlink events; it says it is not modelled).
 */
import { die, matches } from './cli-args.js';
import type { IpContext } from './ip-context.js';
import { Argv } from './ip-xfrm-args.js';
import { doXfrmPolicy } from './ip-xfrm-policy.js';
import { doXfrmState } from './ip-xfrm-state.js';

const XFRM_USAGE = 'Usage: ip xfrm XFRM-OBJECT { COMMAND | help }\nwhere  XFRM-OBJECT := state | policy | monitor\n';

/** `ip xfrm ...` (the words after `xfrm`). */
export function doIpXfrm(ctx: IpContext, words: readonly string[]): number {
  const object = words[0];
  if (object === undefined) die(XFRM_USAGE, 255);
  if (matches(object, 'state') || matches(object, 'sa')) return doXfrmState(ctx, new Argv(words.slice(1)));
  if (matches(object, 'policy')) return doXfrmPolicy(ctx, new Argv(words.slice(1)));
  if (matches(object, 'monitor')) die('ip xfrm monitor is not modelled\n', 1);
  if (matches(object, 'help')) die(XFRM_USAGE, 255);
  die(`Command "${object}" is unknown, try "ip xfrm help".\n`, 255);
}
