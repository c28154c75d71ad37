/**
 * Socket listings in the real tools' formats: iproute2 `ss` (as run on a host, or through
 * `nsenter -n` into a container) and busybox `netstat` (inside a busybox container).
 *
 * Models: iproute2 6.x `misc/ss.c`: one buffered field per column; the output is not a
 * terminal, so every column is as wide as its widest cell (header included) plus its left
 * delimiter, with no spreading to a screen width (`render_calc_width` "compact output");
 * addresses are right-aligned, ports left-aligned, Recv-Q/Send-Q printed with `%-6d`, the
 * process as ` users:(("comm",pid=N,fd=M))` (the very last cell, still unflushed when ss
 * renders, does not widen its column); the Netid column is hidden when one protocol is
 * selected and the State column when one state is; UDP is dumped before TCP, IPv4 before IPv6;
 * an inet6 wildcard socket that also takes IPv4 prints as `*`. busybox 1.35
 * `networking/netstat.c`: `%s   %6lu %6lu %-23s %-23s %-12s` rows after the two header lines,
 * TCP before UDP, addresses cut to 22 characters with the port, `-p` adding `pid/comm` or `-`.
 * Sockets of one kind appear in creation order (the kernel's hash order is not reproduced).
 * Leaves out: `ss -e/-i/-m/-o` details, state filters (`ss state ...`), unix/raw sockets,
 * service-name resolution (output is as with `-n`).
 */
import { formatIpv4 } from '../../packet/index.js';
import type { SocketTable } from './socket-table.js';
import { netstatStateName, ssStateName } from './tcp-state.js';

/** One row of a listing: what `/proc/net/{tcp,udp}` and sock_diag report. */
export interface SocketEntry {
  readonly netid: 'tcp' | 'udp';
  readonly family: 'inet' | 'inet6';
  readonly v6only: boolean;
  /** `ss` state name (`LISTEN`, `ESTAB`, `UNCONN`, ...). */
  readonly state: string;
  /** busybox `netstat` state name (`LISTEN`, `ESTABLISHED`, `` for an unconnected UDP socket). */
  readonly netstatState: string;
  readonly listening: boolean;
  readonly recvQ: number;
  readonly sendQ: number;
  readonly localAddr: number;
  readonly localPort: number;
  readonly remoteAddr: number;
  readonly remotePort: number;
  readonly boundDev: string | undefined;
  readonly owner: { readonly comm: string; readonly pid: number; readonly fd: number } | undefined;
}

/** The table's TCP and UDP sockets as listing rows (UDP first, then TCP; IPv4 before IPv6). */
export function socketEntries(table: SocketTable): SocketEntry[] {
  const rows: SocketEntry[] = [];
  for (const s of table.sockets()) {
    if (s.kind === 'icmp' || s.localPort === 0) continue;
    if (s.kind === 'udp') {
      rows.push({
        netid: 'udp',
        family: s.family,
        v6only: s.v6only,
        state: s.connected ? 'ESTAB' : 'UNCONN',
        netstatState: s.connected ? 'ESTABLISHED' : '',
        listening: !s.connected,
        recvQ: 0,
        sendQ: 0,
        localAddr: s.localAddr,
        localPort: s.localPort,
        remoteAddr: s.remoteAddr,
        remotePort: s.remotePort,
        boundDev: s.boundDev,
        owner: s.owner,
      });
    } else {
      // ss -l selects LISTEN and CLOSE: a bound TCP socket that does not listen is UNCONN.
      const listening = s.state === 'LISTEN' || s.state === 'CLOSED';
      rows.push({
        netid: 'tcp',
        family: s.family,
        v6only: s.v6only,
        state: ssStateName(s.state),
        netstatState: netstatStateName(s.state),
        listening,
        recvQ: 0,
        sendQ: listening ? s.backlog : s.sendQueue,
        localAddr: s.localAddr,
        localPort: s.localPort,
        remoteAddr: s.remoteAddr,
        remotePort: s.remotePort,
        boundDev: s.boundDev,
        owner: s.owner,
      });
    }
  }
  const rank = (e: SocketEntry): number => (e.netid === 'udp' ? 0 : 2) + (e.family === 'inet' ? 0 : 1);
  return rows.map((e, i) => ({ e, i })).sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i).map(x => x.e);
}

/** `ss` flags; each defaults to off (so `{}` is plain `ss`). */
export interface SsOptions {
  readonly tcp?: boolean;
  readonly udp?: boolean;
  /** `-l`: listening sockets only; `-a`: all; neither: connected only. */
  readonly listening?: boolean;
  readonly all?: boolean;
  readonly processes?: boolean;
  /** `-n`: accepted; output is always numeric here. */
  readonly numeric?: boolean;
}

type Align = 'left' | 'right';

interface Column {
  readonly header: string;
  readonly ldelim: string;
  readonly align: Align;
}

const SS_COLUMNS: readonly Column[] = [
  { header: 'Netid', ldelim: '', align: 'left' },
  { header: 'State', ldelim: ' ', align: 'left' },
  { header: 'Recv-Q', ldelim: ' ', align: 'left' },
  { header: 'Send-Q', ldelim: ' ', align: 'left' },
  { header: 'Local Address:', ldelim: ' ', align: 'right' },
  { header: 'Port', ldelim: '', align: 'left' },
  { header: 'Peer Address:', ldelim: ' ', align: 'right' },
  { header: 'Port', ldelim: '', align: 'left' },
  { header: 'Process', ldelim: '', align: 'left' },
];

/** `inet_addr_print`: the address part of an ss column, with its trailing `:`. */
function ssAddress(e: SocketEntry, addr: number, withDev: boolean): string {
  let text: string;
  if (e.family === 'inet') text = formatIpv4(addr);
  else text = e.v6only ? '[::]' : '*';
  if (withDev && e.boundDev !== undefined) text += `%${e.boundDev}`;
  return `${text}:`;
}

/** `ss -[tu][la][n][p]` output. */
export function formatSs(table: SocketTable, options: SsOptions): string {
  const tcp = options.tcp === true || options.udp !== true;
  const udp = options.udp === true || options.tcp !== true;
  const rows = socketEntries(table).filter(e => {
    if (e.netid === 'tcp' ? !tcp : !udp) return false;
    if (options.all === true) return true;
    if (options.listening === true) return e.listening;
    return !e.listening && e.state !== 'TIME-WAIT' && e.state !== 'SYN-RECV';
  });
  const cells: string[][] = [SS_COLUMNS.map(c => c.header)];
  for (const e of rows) {
    const users = options.processes === true && e.owner !== undefined ? ` users:(("${e.owner.comm}",pid=${e.owner.pid},fd=${e.owner.fd}))` : '';
    cells.push([
      e.netid,
      e.state,
      String(e.recvQ).padEnd(6),
      String(e.sendQ).padEnd(6),
      ssAddress(e, e.localAddr, true),
      String(e.localPort),
      ssAddress(e, e.remoteAddr, false),
      e.remotePort === 0 ? '*' : String(e.remotePort),
      users,
    ]);
  }
  // Netid is hidden when one protocol is selected, State when one state can appear.
  // Every state filter here (-l: LISTEN and UNCONN, -a, the default "connected") has several
  // states, so State always shows.
  const hidden = new Set<number>();
  if (tcp !== udp) hidden.add(0);
  return renderColumns(SS_COLUMNS, cells, hidden);
}

/**
 * ss's `render`: widths from the widest cell plus the left delimiter; no screen spreading. The
 * last cell of the last row is still the buffer's open token when ss renders, so it does not
 * count towards its column's width (with one socket the Process header stays unpadded).
 */
function renderColumns(columns: readonly Column[], rows: readonly string[][], hidden: ReadonlySet<number>): string {
  const visible = columns.map((_, i) => i).filter(i => !hidden.has(i));
  const lastRow = rows.length - 1;
  const lastCol = visible[visible.length - 1];
  const maxLen = new Map<number, number>();
  for (const i of visible) maxLen.set(i, Math.max(...rows.map((r, n) => (n > 0 && n === lastRow && i === lastCol ? 0 : (r[i] ?? '').length))));
  const width = new Map<number, number>();
  let first = true;
  for (const i of visible) {
    const max = maxLen.get(i)!;
    width.set(i, !first && max > 0 ? max + columns[i]!.ldelim.length : max);
    if (max > 0) first = false;
  }
  let out = '';
  rows.forEach((row, n) => {
    let line = '';
    let started = false;
    for (const i of visible) {
      const w = width.get(i)!;
      const col = columns[i]!;
      const text = row[i] ?? '';
      // An empty last cell of the last row was never written to ss's buffer: no padding for it.
      if (n > 0 && n === lastRow && i === lastCol && text === '') break;
      let printed = 0;
      if (started) {
        line += col.ldelim;
        printed = col.ldelim.length;
      }
      started = true;
      if (w > 0 && col.align === 'right') {
        const s = w - text.length - printed;
        if (s > 0) {
          line += ' '.repeat(s);
          printed += s;
        }
      }
      line += text;
      printed += text.length;
      if (w > 0 && col.align === 'left' && w - printed > 0) line += ' '.repeat(w - printed);
    }
    out += `${line}\n`;
  });
  return out;
}

/** busybox `netstat` flags; each defaults to off. */
export interface NetstatOptions {
  readonly tcp?: boolean;
  readonly udp?: boolean;
  readonly listening?: boolean;
  readonly all?: boolean;
  readonly numeric?: boolean;
  readonly processes?: boolean;
}

/** busybox `ip_port_str`: `addr:port`, the address cut so both fit in 22 characters. */
function netstatAddress(e: SocketEntry, addr: number, port: number, numeric: boolean): string {
  let ip: string;
  if (e.family === 'inet6') ip = '::';
  else if (addr === 0 && !numeric) ip = '*';
  else ip = formatIpv4(addr);
  const portText = port === 0 ? '*' : String(port);
  if (ip.length + portText.length > 22) ip = ip.slice(0, 22 - portText.length);
  return `${ip}:${portText}`;
}

/** busybox 1.35 `netstat -[tu][la][n][p]` output. */
export function formatNetstat(table: SocketTable, options: NetstatOptions): string {
  const tcp = options.tcp === true || options.udp !== true;
  const udp = options.udp === true || options.tcp !== true;
  const all = options.all === true;
  const listening = options.listening === true;
  const numeric = options.numeric === true;
  const processes = options.processes === true;
  const servers = all ? '(servers and established)' : listening ? '(only servers)' : '(w/o servers)';
  let out = `Active Internet connections ${servers}\n`;
  out += `Proto Recv-Q Send-Q ${'Local Address'.padEnd(23)} ${'Foreign Address'.padEnd(23)} State       ${processes ? 'PID/Program name' : ''}\n`;
  const rows = socketEntries(table);
  const order = (e: SocketEntry): number => (e.netid === 'tcp' ? 0 : 2) + (e.family === 'inet' ? 0 : 1);
  const sorted = rows.map((e, i) => ({ e, i })).sort((a, b) => order(a.e) - order(b.e) || a.i - b.i).map(x => x.e);
  for (const e of sorted) {
    if (e.netid === 'tcp' ? !tcp : !udp) continue;
    const shown = all || (listening ? e.listening : !e.listening);
    if (!shown) continue;
    const local = netstatAddress(e, e.localAddr, e.localPort, numeric);
    const remote = netstatAddress(e, e.remoteAddr, e.remotePort, numeric);
    let line = `${e.netid}   ${String(e.recvQ).padStart(6)} ${String(e.sendQ).padStart(6)} ${local.padEnd(23)} ${remote.padEnd(23)} ${e.netstatState.padEnd(12)}`;
    if (processes) line += (e.owner === undefined ? '-' : `${e.owner.pid}/${e.owner.comm}`).slice(0, 20);
    out += `${line}\n`;
  }
  return out;
}
