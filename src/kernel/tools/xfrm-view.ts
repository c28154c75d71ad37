/**
 * `ip xfrm state` and `ip xfrm policy` listings: one record per state or policy, in iproute2's
 * layout (tabs, and the trailing spaces its `fprintf` calls leave).
 *
 * Models: iproute2 6.x `ip/ipxfrm.c`: `xfrm_state_info_print` / `xfrm_id_info_print`
 * (`src A dst B`, `\tproto esp spi 0x%08x reqid N mode M`, `\treplay-window N ` with
 * `flag ...` when flags are set), `xfrm_xfrma_print` (`\taead NAME 0xKEY ICVBITS`, then
 * `\tanti-replay context: seq 0x%x, oseq 0x%x, bitmap 0x%08x` from the kernel's
 * XFRMA_REPLAY_VAL), the state's `\tsel ...` line, `xfrm_policy_info_print` (the selector line,
 * `\tdir D [action block ]priority N ptype main ` as a kernel with CONFIG_XFRM_SUB_POLICY, the
 * Debian and Ubuntu default, reports the policy type), `xfrm_tmpl_print` (`\ttmpl src A dst B`,
 * `\t\tproto esp [spi 0x%08x ]reqid N mode M`, `\t\tlevel use ` for optional templates),
 * `xfrm_selector_print` (`src A/P dst B/P [proto P ][sport N ][dport N ][type N ][code N ][dev D ]`
 * with protocol names from /etc/protocols). With `-o` every line break inside a record becomes
 * `\` and the record ends with a newline.
 * Leaves out: `-s` (lifetimes, statistics, index, share), marks, security contexts, `nokeys`.
 */
import { formatIpv4, IPPROTO_ICMP } from '../../packet/index.js';
import type { NetNamespace } from '../netns.js';
import { spiText, type XfrmPolicy, type XfrmSelector, type XfrmState, type XfrmTemplate } from '../xfrm/index.js';

/** /etc/protocols names (netbase) of the protocols a selector names most. */
const PROTOCOL_NAMES = new Map<number, string>([
  [0, 'ip'],
  [1, 'icmp'],
  [2, 'igmp'],
  [4, 'ipencap'],
  [6, 'tcp'],
  [17, 'udp'],
  [33, 'dccp'],
  [41, 'ipv6'],
  [47, 'gre'],
  [50, 'esp'],
  [51, 'ah'],
  [58, 'ipv6-icmp'],
  [103, 'pim'],
  [112, 'vrrp'],
  [132, 'sctp'],
]);

/** `getprotobynumber`, or the number. */
export function protocolName(proto: number): string {
  return PROTOCOL_NAMES.get(proto) ?? String(proto);
}

/** `getprotobyname` (names and their upper-case aliases). */
export function protocolByName(name: string): number | undefined {
  for (const [n, text] of PROTOCOL_NAMES) if (text === name || text.toUpperCase() === name) return n;
  return undefined;
}

/** `strxf_xfrmproto`. */
export function xfrmProtoName(proto: number): string {
  switch (proto) {
    case 50:
      return 'esp';
    case 51:
      return 'ah';
    case 108:
      return 'comp';
    case 43:
      return 'route2';
    case 60:
      return 'hao';
    case 255:
      return 'ipsec-any';
    default:
      return String(proto);
  }
}

/** `ll_index_to_name`: a device gone from the namespace prints as `if<N>`. */
function devName(ns: NetNamespace, ifindex: number): string {
  return ns.byIndex(ifindex)?.name ?? `if${ifindex}`;
}

/** `xfrm_selector_print` without its prefix. */
export function formatSelector(sel: XfrmSelector, ns: NetNamespace): string {
  let s = `src ${formatIpv4(sel.src.address)}/${sel.src.prefix} dst ${formatIpv4(sel.dst.address)}/${sel.dst.prefix} `;
  if (sel.proto !== 0) s += `proto ${protocolName(sel.proto)} `;
  if (sel.proto === IPPROTO_ICMP) {
    if (sel.sport !== undefined) s += `type ${sel.sport} `;
    if (sel.dport !== undefined) s += `code ${sel.dport} `;
  } else {
    // TCP, UDP, SCTP, DCCP, and iproute2's `default: /* XXX */` for the rest.
    if (sel.sport !== undefined) s += `sport ${sel.sport} `;
    if (sel.dport !== undefined) s += `dport ${sel.dport} `;
  }
  if (sel.ifindex > 0) s += `dev ${devName(ns, sel.ifindex)} `;
  return `${s}\n`;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** One `ip xfrm state` record. */
export function formatState(x: XfrmState, ns: NetNamespace): string {
  let s = `src ${formatIpv4(x.src)} dst ${formatIpv4(x.dst)}\n`;
  s += `\tproto ${xfrmProtoName(x.proto)} spi ${spiText(x.spi)} reqid ${x.reqid} mode ${x.mode}\n`;
  s += `\treplay-window ${x.replayWindow} `;
  if (x.flags.length > 0) s += `flag ${x.flags.join(' ')}`;
  s += '\n';
  s += `\taead ${x.aead.name} 0x${hex(x.aead.keymat)} ${x.aead.icvBits}\n`;
  s += `\tanti-replay context: seq 0x${x.seq.toString(16)}, oseq 0x${x.oseq.toString(16)}, bitmap 0x${x.bitmap.toString(16).padStart(8, '0')}\n`;
  s += `\tsel ${formatSelector(x.sel, ns)}`;
  return s;
}

function formatTemplate(t: XfrmTemplate): string {
  let s = `\ttmpl src ${formatIpv4(t.src)} dst ${formatIpv4(t.dst)}\n`;
  s += `\t\tproto ${xfrmProtoName(t.proto)} ${t.spi !== 0 ? `spi ${spiText(t.spi)} ` : ''}reqid ${t.reqid} mode ${t.mode}\n`;
  if (t.optional) s += '\t\tlevel use \n';
  return s;
}

/** One `ip xfrm policy` record. */
export function formatPolicy(p: XfrmPolicy, ns: NetNamespace): string {
  let s = formatSelector(p.sel, ns);
  s += `\tdir ${p.dir} ${p.action === 'block' ? 'action block ' : ''}priority ${p.priority} ptype main `;
  if (p.flags.length > 0) s += `flag ${p.flags.join(' ')}`;
  s += '\n';
  for (const t of p.templates) s += formatTemplate(t);
  return s;
}

/** `-o`: the record's line breaks become `\` (iproute2's `_SL_`), then one newline. */
export function onelineRecord(record: string): string {
  return `${record.split('\n').join('\\')}\n`;
}
