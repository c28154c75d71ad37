/**
 * `ip neigh add|change|replace|delete|show|flush`, proxy entries included.
 *
 * Models: iproute2 6.x `ip/ipneigh.c`: `ipneigh_modify` (`lladdr`, `nud`, `proxy ADDR`, `dev`;
 * `Device and destination are required arguments.` exit 255; the default state is permanent,
 * for which the kernel wants a link-layer address: `Error: No link layer address given.`),
 * `ipneigh_list_or_flush` (selectors `dev`, `nud STATE|all`, `proxy`, `to PREFIX`; a listing
 * hides NOARP and NONE entries, a flush spares PERMANENT and NOARP ones), `print_neigh`
 * (`ADDR [dev D] [lladdr MAC] STATE`, `dev` left out when filtering by device; `-s` adds
 * iproute2 6.1's `used A/B/C` and `probes N` with its missing space before `probes`).
 * Entry states, their ageing and the EEXIST/ENOENT answers are the IPv4 module's.
 * Leaves out: `router`, `extern_learn`, `protocol`, `master`/`vrf` selectors, `get`, the
 * `ref` count of `-s`; dump order is the IPv4 module's (device, then address), where Linux
 * prints its hash order.
 */
import { cidrContains, formatIpv4, formatMac, type Cidr, type Ipv4, type Mac } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import { ipv4Of, type NeighEntry, type NudState } from '../ipv4/index.js';
import { Args, die, duparg, duparg2, invarg, matches, parseAddrArg, parseLladdrArg, parsePrefixArg } from './cli-args.js';
import { deviceArg, familyWord, must, unknownCommand, type IpContext } from './ip-context.js';

const NUD_WORDS: readonly NudState[] = ['permanent', 'reachable', 'noarp', 'none', 'stale', 'incomplete', 'delay', 'probe', 'failed'];

function nudArg(text: string): NudState {
  const s = text.toLowerCase();
  if (!(NUD_WORDS as readonly string[]).includes(s)) invarg('nud state is bad', text);
  return s as NudState;
}

/** One `ip neigh show` line. */
export function formatNeighLine(e: NeighEntry, withDev: boolean, stats: boolean, nowSeconds: (t: number) => number): string {
  let s = `${formatIpv4(e.ip)} `;
  if (withDev) s += `dev ${e.dev.name} `;
  const hasMac = e.mac !== undefined && e.state !== 'incomplete' && e.state !== 'failed' && e.state !== 'none';
  if (hasMac) s += `lladdr ${formatMac(e.mac!)} `;
  if (stats) s += ` used ${nowSeconds(e.used)}/${nowSeconds(e.confirmed)}/${nowSeconds(e.updated)}probes ${e.probes} `;
  return `${s}${e.state.toUpperCase()} \n`;
}

function ipNeighModify(ctx: IpContext, cmd: 'add' | 'change' | 'replace' | 'del', args: Args): number {
  let lladdr: string | undefined;
  let state: NudState = 'permanent';
  let dst: Ipv4 | undefined;
  let proxy = false;
  let devName: string | undefined;
  for (; !args.done; args.shift()) {
    const w = args.cur;
    if (matches(w, 'lladdr')) {
      const v = args.next();
      if (lladdr !== undefined) duparg('lladdr', v);
      lladdr = v;
    } else if (w === 'nud') state = nudArg(args.next());
    else if (matches(w, 'proxy')) {
      const v = args.next();
      if (dst !== undefined) duparg('address', v);
      dst = parseAddrArg(v, familyWord(ctx));
      proxy = true;
    } else if (w === 'dev') devName = args.next();
    else if (w === 'router' || matches(w, 'extern_learn')) continue;
    else {
      if (w === 'to') args.next();
      if (dst !== undefined) duparg2('to', args.cur);
      dst = parseAddrArg(args.cur, familyWord(ctx));
    }
  }
  if (devName === undefined || dst === undefined) die('Device and destination are required arguments.\n', 255);
  let mac: Mac | undefined;
  if (lladdr !== undefined && lladdr !== 'null') mac = parseLladdrArg(lladdr);
  const dev = deviceArg(ctx.ns, devName);
  const st = ipv4Of(ctx.ns);
  if (proxy) {
    must(cmd === 'del' ? st.neigh.proxyDel(dev, dst) : st.neigh.proxyAdd(dev, dst));
    return 0;
  }
  if (cmd === 'del') {
    must(st.neighDel(dev, dst));
    return 0;
  }
  if (mac === undefined) {
    if (state === 'permanent') die('Error: No link layer address given.\n', 2);
    die('RTNETLINK answers: Invalid argument\n', 2);
  }
  if (state !== 'permanent' && state !== 'reachable' && state !== 'stale' && state !== 'noarp') die('RTNETLINK answers: Invalid argument\n', 2);
  must(cmd === 'add' ? st.neighAdd(dev, dst, mac, state) : cmd === 'replace' ? st.neighReplace(dev, dst, mac, state) : st.neigh.neighSet('change', dev, dst, mac, state));
  return 0;
}

interface NeighFilter {
  dev: NetDevice | undefined;
  states: ReadonlySet<NudState>;
  proxy: boolean;
  to: Cidr | undefined;
}

function parseNeighFilter(ctx: IpContext, args: Args, flush: boolean): NeighFilter {
  const all: NudState[] = [...NUD_WORDS];
  let states = new Set<NudState>(flush ? all.filter(s => s !== 'permanent' && s !== 'noarp' && s !== 'none') : all.filter(s => s !== 'noarp' && s !== 'none'));
  let given = false;
  let devName: string | undefined;
  let proxy = false;
  let to: Cidr | undefined;
  for (; !args.done; args.shift()) {
    const w = args.cur;
    if (w === 'dev') devName = args.next();
    else if (w === 'nud') {
      const v = args.next();
      if (!given) {
        given = true;
        states = new Set();
      }
      if (v.toLowerCase() === 'all') {
        for (const s of all) if (!(flush && s === 'noarp')) states.add(s);
      } else {
        states.add(nudArg(v));
      }
    } else if (w === 'proxy') proxy = true;
    else if (w === 'unused') continue;
    else {
      if (w === 'to') args.next();
      to = parsePrefixArg(args.cur, familyWord(ctx));
    }
  }
  return { dev: devName === undefined ? undefined : deviceArg(ctx.ns, devName), states, proxy, to };
}

/** `ip neigh show` output for the words after `show`. */
export function ipNeighList(ctx: IpContext, words: readonly string[]): string {
  if (ctx.opts.family === 'inet6' || ctx.opts.family === 'link') return '';
  const f = parseNeighFilter(ctx, new Args(words), false);
  const st = ipv4Of(ctx.ns);
  const withDev = f.dev === undefined;
  if (f.proxy) {
    return st.neigh
      .proxyList()
      .filter(p => (f.dev === undefined || p.dev === f.dev) && (f.to === undefined || cidrContains(f.to, p.ip)))
      .map(p => `${formatIpv4(p.ip)} ${withDev ? `dev ${p.dev.name} ` : ''}proxy \n`)
      .join('');
  }
  const now = ctx.ns.host.world.engine.now;
  const secs = (t: number): number => Math.floor(Math.max(0, now - t) / 1_000_000_000);
  return st.neigh
    .list(f.dev)
    .filter(e => f.states.has(e.state) && (f.to === undefined || cidrContains(f.to, e.ip)))
    .map(e => formatNeighLine(e, withDev, ctx.opts.stats > 0, secs))
    .join('');
}

function ipNeighFlush(ctx: IpContext, words: readonly string[]): number {
  if (words.length === 0) die('Flush requires arguments.\n', 1);
  const f = parseNeighFilter(ctx, new Args(words), true);
  const st = ipv4Of(ctx.ns);
  for (const e of st.neigh.list(f.dev)) {
    if (!f.states.has(e.state) || (f.to !== undefined && !cidrContains(f.to, e.ip))) continue;
    st.neighDel(e.dev, e.ip);
  }
  return 0;
}

/** `ip neigh ...`. */
export function doIpNeigh(ctx: IpContext, words: readonly string[]): number {
  const args = new Args(words);
  if (args.done) {
    ctx.proc.out(ipNeighList(ctx, []));
    return 0;
  }
  const cmd = args.shift();
  const rest = new Args(args.rest());
  if (matches(cmd, 'add')) return ipNeighModify(ctx, 'add', rest);
  if (matches(cmd, 'change') || cmd === 'chg') return ipNeighModify(ctx, 'change', rest);
  if (matches(cmd, 'replace')) return ipNeighModify(ctx, 'replace', rest);
  if (matches(cmd, 'delete')) return ipNeighModify(ctx, 'del', rest);
  if (matches(cmd, 'show') || matches(cmd, 'list') || matches(cmd, 'lst')) {
    ctx.proc.out(ipNeighList(ctx, rest.rest()));
    return 0;
  }
  if (matches(cmd, 'flush')) return ipNeighFlush(ctx, rest.rest());
  unknownCommand(cmd, 'neigh');
}
