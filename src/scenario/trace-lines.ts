/**
 * One trace record as the lines of a teaching trace, at each depth (design.md section 8):
 *
 *   learner   one line per hop in plain words: who sends, which bridge forwards, who rewrites,
 *             which program receives, and why a packet dies
 *   operator  what an operator checks with `ip route get`, `iptables -L -v`, `bridge fdb`,
 *             `conntrack -L`: the route that matched, rules that matched, NAT before and after,
 *             FDB decisions, conntrack state, neighbour entries
 *   kernel    every record, every rule evaluated (matched or not, policies included) with its
 *             hook, table and chain, as iptables TRACE would print it, frames on each device
 *
 * Models: the record kinds the kernel emits (src/kernel: device.ts receive/transmit,
 * devices/bridge-input.ts, ipv4/input.ts and output.ts routes, nfhooks/hooks.ts netfilter,
 * conntrack and rewrite records, ipvs/hooks.ts, sockets/socket-table.ts).
 * Leaves out: layout (namespace headers and indentation are teaching-trace.ts's).
 * Invariants: pure; unknown kinds or details fall back to `kind key=value ...`, never throw.
 */
import type { TraceRecord } from '../engine/index.js';
import { explainDrop, type ProbeHint } from './trace-advice.js';
import { detailWords, endpointText, etherType, ip, list, mac, num, parseFlow, protocol, text } from './trace-detail.js';
import { namespaceName, type TraceNames } from './trace-names.js';

export type Tone = 'plain' | 'drop' | 'rewrite' | 'detail' | 'rule';

export interface Line {
  readonly text: string;
  readonly tone: Tone;
}

export interface LineContext {
  readonly names: TraceNames;
  /** The walk the record belongs to (drop advice reads it). */
  readonly walk: readonly TraceRecord[];
  readonly hint: ProbeHint;
}

const line = (t: string, tone: Tone = 'plain'): Line => ({ text: t, tone });

function who(r: TraceRecord, ctx: LineContext): string {
  return namespaceName(ctx.names, r.location.host, r.location.netns).label;
}

/** `172.18.0.3 (web)` when the address has a name. */
function named(address: string | undefined, ctx: LineContext): string {
  if (address === undefined) return '?';
  const name = ctx.names.addresses.get(address);
  return name === undefined || name === address ? address : `${address} (${name})`;
}

/** The learner's line(s) for `r`: a hop in plain words, or nothing for bookkeeping records. */
export function learnerLines(r: TraceRecord, ctx: LineContext): Line[] {
  const subject = who(r, ctx);
  const dev = r.location.device;
  switch (r.kind) {
    case 'route': {
      const stage = text(r, 'stage');
      const result = text(r, 'result');
      const via = ip(r, 'gateway');
      const out = text(r, 'dev') ?? dev ?? '?';
      if (stage === 'output' && (result === 'unicast' || result === 'local' || result === 'broadcast')) {
        return [line(`${subject} sends to ${named(ip(r, 'dst'), ctx)} through ${out}${via === undefined ? '' : `, via the gateway ${via}`}`)];
      }
      if (stage === 'output') return [line(`✗ ${subject} has no route to ${named(ip(r, 'dst'), ctx)} (${result ?? 'unreachable'})`, 'drop')];
      if (stage === 'input' && result === 'forward') {
        return [line(`${subject}'s kernel routes it on to ${named(ip(r, 'dst'), ctx)} through ${out}${via === undefined ? '' : `, via ${via}`}`)];
      }
      return [];
    }
    case 'bridge':
      return bridgeLearner(r, subject);
    case 'neighbour':
      return text(r, 'action') === 'queued' ? [line(`${subject} does not know the MAC address of ${ip(r, 'ip') ?? '?'} yet: it asks with ARP and holds the packet`)] : [];
    case 'rewrite':
      return [line(rewriteSentence(r, subject), 'rewrite')];
    case 'ipvs': {
      const conn = text(r, 'connection');
      if (conn === 'reply') return [line(`IPVS in ${subject} rewrites the reply from the real server ${text(r, 'server') ?? '?'} back to the service ${text(r, 'service') ?? ''}`.trimEnd(), 'rewrite')];
      return [line(`IPVS in ${subject} sends it to the real server ${text(r, 'server') ?? '?'} of ${text(r, 'service') ?? 'the service'} (${text(r, 'scheduler') ?? '?'}, ${conn ?? 'new'} connection)`)];
    }
    case 'encap':
      return [line(`${subject} wraps it in ${tunnelWords(r)}`)];
    case 'decap':
      return [line(`${subject} unwraps it from ${tunnelWords(r)}`)];
    case 'socket':
      return socketLearner(r, subject);
    case 'dns':
      return [line(dnsSentence(r, subject))];
    case 'icmp':
      return text(r, 'action') === 'sent' ? [line(`${subject} answers with ICMP ${text(r, 'message') ?? ''} to ${named(ip(r, 'to'), ctx)}`)] : [];
    case 'ttl':
      return text(r, 'action') === 'expired' ? [line(`${subject}: its TTL ran out`, 'drop')] : [];
    case 'drop':
      return dropLines(r, subject, ctx);
    case 'receive':
    case 'transmit':
    case 'netfilter':
    case 'conntrack':
    case 'note':
      return [];
  }
}

function bridgeLearner(r: TraceRecord, subject: string): Line[] {
  const decision = text(r, 'decision');
  const device = r.location.device ?? '?';
  const underlay = r.location.host === 'underlay';
  const what = underlay ? 'the underlay switch' : text(r, 'via') === 'macvlan bridge mode' ? `the macvlan ${device}` : `the bridge ${device}`;
  if (text(r, 'brNetfilter') !== undefined) return [];
  if (decision === 'forward') return [line(`${what} forwards it to ${text(r, 'to') ?? '?'}${underlay ? '' : ' (learned port)'}`)];
  if (decision === 'flood') return [line(`${what} floods it to every port (${text(r, 'flood') ?? 'unknown'}: destination not learned yet)`)];
  if (decision === 'local') return [line(`${what} hands it up to ${subject}'s own IP stack`)];
  return decision === undefined ? [] : [line(`${what}: ${decision}`)];
}

function socketLearner(r: TraceRecord, subject: string): Line[] {
  const action = text(r, 'action');
  const socket = text(r, 'socket') ?? '';
  const m = /^(\w+) [\d.]+:(\d+)/.exec(socket);
  const port = m?.[2] ?? '?';
  const owner = text(r, 'owner')?.split('/')[0];
  if (action === 'deliver') {
    const listening = text(r, 'state') === 'LISTEN' ? ' (listening)' : '';
    return [line(`${subject}'s kernel delivers it to ${owner ?? `a ${m?.[1] ?? ''} socket`.replace('  ', ' ')} on port ${port}${listening}`)];
  }
  if (action === 'reset') return [line(`${subject} answers with a TCP reset to ${text(r, 'to') ?? '?'}`)];
  return [];
}

function rewriteSentence(r: TraceRecord, subject: string): string {
  const before = text(r, 'before') ?? '';
  const after = text(r, 'after') ?? '';
  const kind = text(r, 'nat') ?? text(r, 'by') ?? 'rewrite';
  const b = parseFlow(before);
  const a = parseFlow(after);
  if (b === undefined || a === undefined) return `${subject} rewrites the header (${kind})`;
  const parts: string[] = [];
  if (endpointText(b.src) !== endpointText(a.src)) parts.push(`the source ${endpointText(b.src)} → ${endpointText(a.src)}`);
  if (endpointText(b.dst) !== endpointText(a.dst)) parts.push(`the destination ${endpointText(b.dst)} → ${endpointText(a.dst)}`);
  return `${subject} rewrites ${parts.length === 0 ? 'nothing visible' : parts.join(' and ')} (${kind})`;
}

function tunnelWords(r: TraceRecord): string {
  const vni = text(r, 'vni');
  const spi = text(r, 'spi');
  const kind = text(r, 'kind') ?? text(r, 'by') ?? (vni !== undefined ? 'VXLAN' : spi !== undefined ? 'ESP' : 'a tunnel');
  const outer = ip(r, 'outerSrc') !== undefined ? ` from ${ip(r, 'outerSrc')!} to ${ip(r, 'outerDst') ?? '?'}` : '';
  const ids = [vni === undefined ? '' : `VNI ${vni}`, spi === undefined ? '' : `SPI ${spi}`].filter((s) => s !== '').join(', ');
  return `${kind}${ids === '' ? '' : ` (${ids})`}${outer}`;
}

function dnsSentence(r: TraceRecord, subject: string): string {
  const name = text(r, 'name') ?? '?';
  const type = text(r, 'type') ?? 'A';
  const action = text(r, 'action');
  if (action === 'query') return `the DNS server in ${subject} gets a query for ${name} (${type})`;
  const answers = list(r, 'answers');
  if (action === 'answer') return `the DNS server in ${subject} answers ${name}: ${answers.length === 0 ? `no answer (${text(r, 'rcode') ?? 'empty'})` : answers.join(', ')}`;
  return `DNS in ${subject}: ${detailWords(r)}`;
}

function dropLines(r: TraceRecord, subject: string, ctx: LineContext): Line[] {
  const e = explainDrop(r, ctx.walk, ctx.names, ctx.hint);
  const lines = [line(`✗ ${subject} drops it: ${e.decided}`, 'drop'), line(`  why: ${e.why}`, 'drop')];
  if (e.fix !== undefined) lines.push(line(`  fix: ${e.fix}`, 'drop'));
  return lines;
}

/** The operator's extra lines for `r` (routes, matched rules, NAT, FDB, conntrack, neighbours). */
export function operatorLines(r: TraceRecord, _ctx: LineContext): Line[] {
  switch (r.kind) {
    case 'route': {
      const prefix = text(r, 'prefix');
      if (prefix === undefined) return [line(`route: no route to ${ip(r, 'dst') ?? '?'} (${text(r, 'result') ?? '?'})`, 'detail')];
      const table = text(r, 'table') ?? 'main';
      const gw = ip(r, 'gateway');
      const rule = num(r, 'rule');
      const ruleWords = rule === undefined || rule === 0 || rule === 32766 ? '' : `, rule ${rule}`;
      return [line(`route ${text(r, 'stage') ?? ''}: ${ip(r, 'dst') ?? '?'} matched ${prefix}${gw === undefined ? '' : ` via ${gw}`} dev ${text(r, 'dev') ?? '?'} (table ${table}${ruleWords}) → ${text(r, 'result') ?? '?'}`, 'detail')];
    }
    case 'netfilter': {
      if (text(r, 'log') !== undefined) return [line(`LOG ${text(r, 'table') ?? ''}/${text(r, 'chain') ?? ''}: ${text(r, 'log')!}`, 'rule')];
      const verdict = text(r, 'verdict') ?? '';
      const ruleText = text(r, 'text') ?? '';
      if (r.detail['matched'] === false || verdict === 'no-match' || verdict === 'return') return [];
      if (ruleText.startsWith('-P ') && verdict === 'ACCEPT') return [];
      return [line(`${text(r, 'table') ?? '?'}/${text(r, 'chain') ?? '?'} rule ${text(r, 'rule') ?? '?'}: ${ruleText} → ${verdict}`, 'rule')];
    }
    case 'rewrite':
      return [line(`  before: ${text(r, 'before') ?? '?'}`, 'rewrite'), line(`  after:  ${text(r, 'after') ?? '?'}${text(r, 'hook') === undefined ? '' : `   (${text(r, 'hook')!})`}`, 'rewrite')];
    case 'bridge': {
      if (text(r, 'brNetfilter') !== undefined) return [line(`br_netfilter: ${text(r, 'brNetfilter')!} to ${text(r, 'dnatTo') ?? '?'} via ${text(r, 'port') ?? '?'}`, 'detail')];
      const learned = text(r, 'learned');
      const src = mac(r, 'src');
      const lines: Line[] = [];
      if (learned !== undefined && learned !== 'off' && src !== undefined) lines.push(line(`fdb: ${src} on ${text(r, 'port') ?? '?'} (${learned})`, 'detail'));
      const d = mac(r, 'dst');
      if (d !== undefined) lines.push(line(`fdb: ${d} → ${text(r, 'decision') === 'forward' ? (text(r, 'to') ?? '?') : (text(r, 'decision') ?? '?')}`, 'detail'));
      return lines;
    }
    case 'conntrack':
      return conntrackLines(r);
    case 'neighbour': {
      const action = text(r, 'action');
      if (action === 'send') return [line(`neighbour ${ip(r, 'ip') ?? '?'} is ${text(r, 'state') ?? '?'} at ${mac(r, 'mac') ?? '?'}`, 'detail')];
      if (text(r, 'from') !== undefined) return [line(`neighbour ${ip(r, 'ip') ?? '?'}: ${text(r, 'from')!} → ${text(r, 'to') ?? '?'}`, 'detail')];
      return [];
    }
    case 'ipvs': {
      const extra = [text(r, 'method'), text(r, 'client') === undefined ? undefined : `client ${text(r, 'client')!}`, text(r, 'persistence'), text(r, 'state')].filter((s) => s !== undefined);
      return extra.length === 0 ? [] : [line(`ipvs: ${extra.join(', ')}`, 'detail')];
    }
    case 'socket':
      return text(r, 'socket') === undefined ? [] : [line(`socket: ${text(r, 'socket')!}${text(r, 'state') === undefined ? '' : ` (${text(r, 'state')!})`}`, 'detail')];
    case 'ttl':
      return text(r, 'action') === 'decrement' ? [line(`ttl ${text(r, 'from') ?? '?'} → ${text(r, 'to') ?? '?'}`, 'detail')] : [];
    case 'icmp':
      return text(r, 'action') === 'sent' ? [] : [line(`icmp ${text(r, 'action') ?? ''}: ${text(r, 'message') ?? ''} ${text(r, 'why') ?? ''}`.trimEnd(), 'detail')];
    case 'note':
      return [line(`note: ${text(r, 'what') ?? detailWords(r)}`, 'detail')];
    case 'encap':
    case 'decap':
    case 'dns':
      return [line(`${r.kind}: ${detailWords(r)}`, 'detail')];
    case 'receive':
    case 'transmit':
    case 'drop':
      return [];
  }
}

function conntrackLines(r: TraceRecord): Line[] {
  const event = text(r, 'event');
  if (event === 'new') return [line(`conntrack: new connection ${text(r, 'orig') ?? '?'} (${text(r, 'ctstate') ?? 'NEW'}${tcpState(r)})`, 'detail')];
  if (event === 'lookup' || event === 'related') {
    return [line(`conntrack: ${text(r, 'ctstate') ?? '?'} ${text(r, 'dir') ?? ''} ${text(r, 'orig') ?? ''}${tcpState(r)}`.replace(/ +/g, ' '), 'detail')];
  }
  if (event === 'nat') return r.detail['nullBinding'] === true ? [] : [line(`conntrack: ${text(r, 'binding') ?? '?'}`, 'detail')];
  if (event === 'confirm') return [line(`conntrack: confirmed ${text(r, 'orig') ?? '?'} ⇄ ${text(r, 'reply') ?? '?'}`, 'detail')];
  if (event === 'invalid') return [line(`conntrack: INVALID (${text(r, 'why') ?? '?'})`, 'drop')];
  return [line(`conntrack: ${detailWords(r)}`, 'detail')];
}

function tcpState(r: TraceRecord): string {
  const tcp = text(r, 'tcp');
  return tcp === undefined ? '' : `, tcp ${tcp}`;
}

/** The kernel depth's line(s) for `r`: every record, frames and unmatched rules included. */
export function kernelLines(r: TraceRecord, ctx: LineContext): Line[] {
  if (r.kind === 'receive' || r.kind === 'transmit') {
    if (text(r, 'stage') === 'local') return [line(`ip_local_deliver: ${protocol(r, 'protocol') ?? '?'} ${ip(r, 'src') ?? '?'} > ${ip(r, 'dst') ?? '?'}`, 'detail')];
    const vlans = list(r, 'vlans');
    const what = `${mac(r, 'src') ?? '?'} > ${mac(r, 'dst') ?? '?'} ${etherType(r, 'etherType') ?? ''}${vlans.length === 0 ? '' : ` vlan ${vlans.join(',')}`}`;
    const pkt = text(r, 'pktType');
    return [line(`${r.kind === 'receive' ? 'rx' : 'tx'} ${r.location.device ?? '?'}: ${what}${pkt === undefined ? '' : ` (${pkt})`}`, 'detail')];
  }
  if (r.kind === 'netfilter') {
    const hook = text(r, 'hook') ?? '?';
    if (text(r, 'log') !== undefined) return [line(`${hook} LOG: ${text(r, 'log')!}`, 'rule')];
    const matched = r.detail['matched'] !== false;
    const lines = [line(`${hook} ${text(r, 'table') ?? '?'}/${text(r, 'chain') ?? '?'} #${text(r, 'rule') ?? '?'} ${text(r, 'text') ?? ''} → ${text(r, 'verdict') ?? '?'}`, matched ? 'rule' : 'detail')];
    const trace = text(r, 'trace');
    if (trace !== undefined) lines.push(line(`  ${trace}`, 'detail'));
    return lines;
  }
  if (r.kind === 'conntrack' && text(r, 'event') === 'nat' && r.detail['nullBinding'] === true) {
    return [line(`conntrack: null ${text(r, 'manip') === 'SRC' ? 'SNAT' : 'DNAT'} binding (nothing to rewrite)`, 'detail')];
  }
  const lines = [...learnerLines(r, ctx), ...operatorLines(r, ctx)];
  return lines.length > 0 ? lines : [line(`${r.kind} ${detailWords(r)}`, 'detail')];
}
