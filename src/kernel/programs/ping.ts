/**
 * `ping`: ICMP echo over a raw ICMP socket, in busybox 1.35's format inside containers and
 * iputils' format on hosts, with times taken from the virtual clock.
 *
 * Models: busybox `networking/ping.c` (`PING host (ip): 56 data bytes`, `64 bytes from ip:
 * seq=0 ttl=64 time=0.083 ms`, sequence from 0, identifier = pid; after the last request it
 * waits -W seconds, default 10, when nothing came back, else about two RTTs (at least 1 s), and
 * stops at once when every reply is in; `-w` is an overall deadline; ICMP errors are ignored;
 * exit 1 when nothing came back or the deadline cut a `-c` run short; `ping: bad address 'x'`
 * when the name does not resolve; `ping: sendto: <errnoText>` on a send error), and iputils
 * 20221126 `ping/ping.c` (`PING ip (ip) 56(84) bytes of data.`, `icmp_seq` from 1, `time=` with
 * 3 significant decimals, `From ip icmp_seq=N Destination Host Unreachable` for ICMP errors,
 * the statistics with `time Nms` and `rtt min/avg/max/mdev`, a failed route as `ping: connect:
 * <errnoText>` with exit 2, an unknown name as `ping: x: Name or service not known`, exit 2).
 * Options: -c -s -t -I -W -w -i -q.
 * Leaves out: flood and adaptive modes, -p patterns, record route, IPv6, broadcast pings.
 */
import { echoRequest, formatIpv4, parseIpv4, isIcmpError, decodeQuoted, type IcmpRepr, type Ipv4 } from '../../packet/index.js';
import { SECOND } from '../../engine/index.js';
import type { Process } from '../process.js';
import { routeFlow, errnoText, type IcmpMessage } from '../sockets/index.js';
import { getopt, parseCount, parseSeconds } from './args.js';
import { resolveHost } from './resolver.js';
import { msFixed3, ownerOf, secondsToNs, socketsFor } from './util.js';

interface Stats {
  transmitted: number;
  received: number;
  repeats: number;
  errors: number;
  tmin: number;
  tmax: number;
  tsum: number;
  tsum2: number;
  firstSend: number;
  lastSend: number;
}

const BUSYBOX_USAGE = 'Usage: ping [OPTIONS] HOST\n';

/** iputils' `time=` value for a round trip of `us` microseconds. */
function iputilsTime(us: number): string {
  if (us >= 100000 - 50) return String(Math.floor((us + 500) / 1000));
  if (us >= 10000 - 5) return (us / 1000).toFixed(1);
  if (us >= 1000) return (us / 1000).toFixed(2);
  return (us / 1000).toFixed(3);
}

/** printf `%g` for packet-loss percentages (6 significant digits, no trailing zeros). */
function percentG(value: number): string {
  if (value === 0) return '0';
  return String(Number(value.toPrecision(6)));
}

/** iputils' text for an ICMP error about one of our echo requests. */
function iputilsError(icmp: IcmpRepr): string {
  switch (icmp.type) {
    case 'time-exceeded':
      return 'Time to live exceeded';
    case 'dest-unreachable':
      switch (icmp.code) {
        case 0:
          return 'Destination Net Unreachable';
        case 1:
          return 'Destination Host Unreachable';
        case 2:
          return 'Destination Protocol Unreachable';
        case 3:
          return 'Destination Port Unreachable';
        case 4:
          return `Frag needed and DF set (mtu = ${icmp.nextHopMtu})`;
        case 9:
        case 10:
          return 'Destination Host Prohibited';
        case 13:
          return 'Packet filtered';
        default:
          return `Dest Unreachable, Bad Code: ${icmp.code}`;
      }
    case 'echo-request':
    case 'echo-reply':
    case 'other':
      return 'Bad ICMP type';
  }
}

export function ping(proc: Process, argv: readonly string[]): void {
  const busybox = proc.userland === 'busybox';
  const args = getopt(argv.slice(1), '4c:s:t:I:W:w:i:qn');
  const usageExit = busybox ? 1 : 2;
  if (args.error !== undefined) {
    proc.err(`ping: ${args.error}\n${busybox ? BUSYBOX_USAGE : ''}`);
    proc.exit(usageExit);
    return;
  }
  const target = args.operands[0];
  if (target === undefined) {
    proc.err(busybox ? BUSYBOX_USAGE : 'ping: usage error: Destination address required\n');
    proc.exit(usageExit);
    return;
  }
  const count = parseCount(args.get('c')) ?? 0;
  const size = parseCount(args.get('s')) ?? 56;
  const ttl = parseCount(args.get('t'));
  const waitSeconds = parseSeconds(args.get('W')) ?? 10;
  const deadline = parseSeconds(args.get('w'));
  const interval = parseSeconds(args.get('i')) ?? 1;
  const quiet = args.has('q');
  const iface = args.get('I');

  resolveHost(proc, target, r => {
    if (!r.ok) {
      if (busybox) proc.err(`ping: bad address '${target}'\n`);
      else proc.err(r.reason === 'timeout' ? `ping: ${target}: Temporary failure in name resolution\n` : `ping: ${target}: Name or service not known\n`);
      proc.exit(busybox ? 1 : 2);
      return;
    }
    run(proc, { busybox, target, dst: r.addresses[0]!, literal: r.source === 'literal', count, size, ttl, waitSeconds, deadline, interval, quiet, iface });
  });
}

interface PingRun {
  readonly busybox: boolean;
  readonly target: string;
  readonly dst: Ipv4;
  readonly literal: boolean;
  readonly count: number;
  readonly size: number;
  readonly ttl: number | undefined;
  readonly waitSeconds: number;
  readonly deadline: number | undefined;
  readonly interval: number;
  readonly quiet: boolean;
  readonly iface: string | undefined;
}

function run(proc: Process, o: PingRun): void {
  const table = socketsFor(proc);
  const sock = table.icmp({ owner: ownerOf(proc) });
  proc.onCleanup(() => sock.close());
  if (o.ttl !== undefined) sock.ttl = o.ttl;
  let fromText = '';
  if (o.iface !== undefined) {
    const asAddr = /^\d+\.\d+\.\d+\.\d+$/.test(o.iface);
    if (asAddr) {
      const r = bindSource(proc, o.iface);
      if (r === undefined) {
        proc.err('ping: bind: Cannot assign requested address\n');
        proc.exit(o.busybox ? 1 : 2);
        return;
      }
      sock.localAddr = r;
    } else if (proc.ns.device(o.iface) === undefined) {
      proc.err(o.busybox ? 'ping: SO_BINDTODEVICE: No such device\n' : `ping: SO_BINDTODEVICE ${o.iface}: No such device\n`);
      proc.exit(o.busybox ? 1 : 2);
      return;
    } else {
      sock.boundDev = o.iface;
    }
  }
  const ip = formatIpv4(o.dst);
  if (o.busybox) {
    proc.out(`PING ${o.target} (${ip}): ${o.size} data bytes\n`);
  } else {
    const route = routeFlow(proc.ns, { dst: o.dst, src: sock.localAddr, ...(sock.boundDev === undefined ? {} : { dev: sock.boundDev }) });
    if (!route.ok) {
      proc.err(`ping: connect: ${errnoText(route.errno)}\n`);
      proc.exit(2);
      return;
    }
    if (o.iface !== undefined) fromText = `from ${formatIpv4(route.value.src)} ${o.iface}: `;
    proc.out(`PING ${o.target} (${ip}) ${fromText}${o.size}(${o.size + 28}) bytes of data.\n`);
  }

  const id = proc.pid & 0xffff;
  const engine = proc.host.world.engine;
  const sentAt = new Map<number, number>();
  const seen = new Set<number>();
  const st: Stats = { transmitted: 0, received: 0, repeats: 0, errors: 0, tmin: Infinity, tmax: 0, tsum: 0, tsum2: 0, firstSend: 0, lastSend: 0 };
  const firstSeq = o.busybox ? 0 : 1;
  let waitTimer: ReturnType<Process['after']> | undefined;

  const finish = (): void => {
    printStats(proc, o, st);
    const failed = st.received === 0 || (o.deadline !== undefined && o.count > 0 && st.received < o.count);
    proc.exit(failed ? 1 : 0);
  };

  const sendOne = (): void => {
    const seq = firstSeq + st.transmitted;
    const now = engine.now;
    const sent = sock.send(o.dst, echoRequest(id, seq & 0xffff, echoData(o.busybox, o.size, now)));
    if (!sent.ok) {
      if (o.busybox) {
        proc.err(`ping: sendto: ${errnoText(sent.errno)}\n`);
        proc.exit(1);
        return;
      }
      proc.err(`ping: sendmsg: ${errnoText(sent.errno)}\n`);
      st.errors++;
    }
    if (st.transmitted === 0) st.firstSend = now;
    st.lastSend = now;
    st.transmitted++;
    sentAt.set(seq & 0xffff, now);
    if (o.count === 0 || st.transmitted < o.count) {
      proc.after(secondsToNs(o.interval), sendOne);
      return;
    }
    // All sent: wait for the last replies (about two RTTs once something came back, else -W).
    let expire = secondsToNs(o.waitSeconds);
    if (st.received > 0) {
      // busybox: tmax / (512 * 1024) seconds, at least 1; iputils: 2 x tmax, at least the interval.
      expire = o.busybox ? Math.max(1, Math.floor(st.tmax / 524288)) * SECOND : Math.max(secondsToNs(o.interval), 2 * st.tmax * 1000);
    }
    if (o.deadline === undefined) waitTimer = proc.after(expire, finish);
  };

  sock.onMessage = (m: IcmpMessage) => {
    const icmp = m.icmp;
    if (icmp.type === 'echo-reply') {
      if (icmp.id !== id || (m.ip.src !== o.dst && !isBroadcastLike(o.dst))) return;
      const sent = sentAt.get(icmp.seq);
      if (sent === undefined) return;
      const us = Math.floor((engine.now - sent) / 1000);
      const dup = seen.has(icmp.seq);
      if (dup) st.repeats++;
      else {
        seen.add(icmp.seq);
        st.received++;
      }
      st.tsum += us;
      st.tsum2 += us * us;
      st.tmin = Math.min(st.tmin, us);
      st.tmax = Math.max(st.tmax, us);
      if (!o.quiet) {
        const bytes = 8 + icmp.data.length;
        if (o.busybox) {
          proc.out(`${bytes} bytes from ${formatIpv4(m.ip.src)}: seq=${icmp.seq} ttl=${m.ip.ttl} time=${msFixed3(us * 1000)} ms${dup ? ' (DUP!)' : ''}\n`);
        } else {
          const from = o.literal ? formatIpv4(m.ip.src) : `${o.target} (${formatIpv4(m.ip.src)})`;
          proc.out(`${bytes} bytes from ${from}: icmp_seq=${icmp.seq} ttl=${m.ip.ttl} time=${iputilsTime(us)} ms${dup ? ' (DUP!)' : ''}\n`);
        }
      }
      if (o.count > 0 && st.received >= o.count) {
        proc.cancelTimer(waitTimer);
        finish();
      }
      return;
    }
    if (o.busybox || !isIcmpError(icmp) || (icmp.type !== 'dest-unreachable' && icmp.type !== 'time-exceeded')) return;
    const q = decodeQuoted(icmp.quoted);
    if (!q.ok || q.value.echo === undefined || q.value.echo.id !== id || q.value.dst !== o.dst) return;
    st.errors++;
    if (!o.quiet) proc.out(`From ${formatIpv4(m.ip.src)} icmp_seq=${q.value.echo.seq} ${iputilsError(icmp)}\n`);
  };

  proc.onSignal(signal => {
    if (signal === 2) finish();
  });
  if (o.deadline !== undefined) proc.after(secondsToNs(o.deadline), finish);
  sendOne();
}

function isBroadcastLike(ip: Ipv4): boolean {
  return ip === 0xffffffff || (ip & 0xff) === 0xff;
}

/** `-I ADDR`: the address must be one of ours (its route is `local`, through `lo`). */
function bindSource(proc: Process, text: string): Ipv4 | undefined {
  const ip = parseIpv4(text);
  if (ip === undefined) return undefined;
  const r = routeFlow(proc.ns, { dst: ip });
  return r.ok && r.value.dev.kind === 'loopback' ? ip : undefined;
}

/** The echo payload: busybox puts a 32-bit timestamp first, iputils a timeval then bytes 16, 17, ... */
function echoData(busybox: boolean, size: number, now: number): Uint8Array {
  const data = new Uint8Array(size);
  const us = Math.floor(now / 1000);
  if (busybox) {
    if (size >= 4) new DataView(data.buffer).setUint32(0, us >>> 0, true);
    return data;
  }
  for (let i = 0; i < size; i++) data[i] = i & 0xff;
  if (size >= 16) {
    const view = new DataView(data.buffer);
    view.setBigUint64(0, BigInt(Math.floor(us / 1e6)), true);
    view.setBigUint64(8, BigInt(us % 1e6), true);
  }
  return data;
}

function printStats(proc: Process, o: PingRun, st: Stats): void {
  const loss = st.transmitted === 0 ? 0 : ((st.transmitted - st.received) * 100) / st.transmitted;
  if (o.busybox) {
    let text = `\n--- ${o.target} ping statistics ---\n${st.transmitted} packets transmitted, ${st.received} packets received, `;
    if (st.repeats > 0) text += `${st.repeats} duplicates, `;
    text += `${Math.floor(loss)}% packet loss\n`;
    if (st.received + st.repeats > 0) {
      const avg = Math.floor(st.tsum / (st.received + st.repeats));
      text += `round-trip min/avg/max = ${msFixed3(st.tmin * 1000)}/${msFixed3(avg * 1000)}/${msFixed3(st.tmax * 1000)} ms\n`;
    }
    proc.out(text);
    return;
  }
  const elapsedMs = Math.floor((st.lastSend - st.firstSend + 500_000) / 1_000_000);
  let text = `\n--- ${o.target} ping statistics ---\n${st.transmitted} packets transmitted, ${st.received} received`;
  if (st.repeats > 0) text += `, +${st.repeats} duplicates`;
  if (st.errors > 0) text += `, +${st.errors} errors`;
  if (st.transmitted > 0) text += `, ${percentG(loss)}% packet loss, time ${elapsedMs}ms`;
  text += '\n';
  const n = st.received + st.repeats;
  if (n > 0) {
    const avg = st.tsum / n;
    const mdev = Math.sqrt(Math.max(0, st.tsum2 / n - avg * avg));
    const f = (us: number): string => msFixed3(Math.floor(us) * 1000);
    text += `rtt min/avg/max/mdev = ${f(st.tmin)}/${f(avg)}/${f(st.tmax)}/${f(mdev)} ms`;
  }
  text += '\n';
  proc.out(text);
}
