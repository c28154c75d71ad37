/**
 * `traceroute`: UDP probes with rising TTL, answers read from a raw ICMP socket, in busybox
 * 1.35's format.
 *
 * Models: busybox `networking/traceroute.c` (LBL traceroute): header `traceroute to HOST (IP),
 * 30 hops max, 46 byte packets`; per hop `%2d`, then for each of 3 probes either `  *` after
 * `-w` seconds (default 5) or, when the answering address changes, `  NAME (IP)` (`  IP` with
 * -n), then `  %u.%03u ms`; probes go from source port pid|0x8000 to port 33434 + probe number
 * (the first probe is 33435); a port unreachable from the target ends the trace, and so do
 * unreachables for all but one probe of a hop (` !H`, ` !N`, ` !A`...).
 * Options: -n -m MAXTTL -f FIRST -q PROBES -w SECS -p PORT -I (accepted, probes stay UDP).
 * Leaves out: reverse DNS (a hop's name is printed as its address), ICMP/TCP probe modes,
 * source routing, `-s`, `-t`, MTU discovery (` !F`).
 */
import { decodeQuoted, formatIpv4, type Ipv4 } from '../../packet/index.js';
import type { Process } from '../process.js';
import type { IcmpMessage } from '../sockets/index.js';
import { getopt, parseCount, parseSeconds } from './args.js';
import { resolveHost } from './resolver.js';
import { msFixed3, ownerOf, secondsToNs, socketsFor } from './util.js';

const PACKET_LENGTH = 46;
const DATA_LENGTH = PACKET_LENGTH - 28;

/** The annotation busybox prints after a time for an ICMP unreachable code, and whether it counts as "unreachable". */
function unreachMark(code: number): { readonly mark: string; readonly unreachable: boolean; readonly there: boolean } {
  switch (code) {
    case 3:
      return { mark: '', unreachable: false, there: true };
    case 0:
      return { mark: ' !N', unreachable: true, there: false };
    case 1:
      return { mark: ' !H', unreachable: true, there: false };
    case 2:
      return { mark: ' !P', unreachable: false, there: true };
    case 5:
      return { mark: ' !S', unreachable: true, there: false };
    case 9:
    case 13:
      return { mark: ' !A', unreachable: true, there: false };
    case 10:
      return { mark: ' !C', unreachable: true, there: false };
    default:
      return { mark: ` !<${code}>`, unreachable: true, there: false };
  }
}

export function traceroute(proc: Process, argv: readonly string[]): void {
  const args = getopt(argv.slice(1), '46FIlnrvm:f:q:w:p:s:t:i:z:');
  if (args.error !== undefined || args.operands[0] === undefined) {
    proc.err(`${args.error === undefined ? '' : `traceroute: ${args.error}\n`}Usage: traceroute [-46FIlnrv] [-f 1ST_TTL] [-m MAXTTL] [-q PROBES] [-p PORT] [-t TOS] [-w WAIT_SEC] [-s SRC_IP] [-i IFACE] [-z PAUSE_MSEC] HOST [BYTES]\n`);
    proc.exit(1);
    return;
  }
  const target = args.operands[0];
  const maxTtl = parseCount(args.get('m')) ?? 30;
  const firstTtl = parseCount(args.get('f')) ?? 1;
  const nprobes = parseCount(args.get('q')) ?? 3;
  const wait = parseSeconds(args.get('w')) ?? 5;
  const basePort = parseCount(args.get('p')) ?? 33434;
  const numeric = args.has('n');
  resolveHost(proc, target, r => {
    if (!r.ok) {
      proc.err(`traceroute: bad address '${target}'\n`);
      proc.exit(1);
      return;
    }
    const dst = r.addresses[0]!;
    proc.out(`traceroute to ${target} (${formatIpv4(dst)}), ${maxTtl} hops max, ${PACKET_LENGTH} byte packets\n`);
    trace(proc, { dst, maxTtl, firstTtl, nprobes, waitNs: secondsToNs(wait), basePort, numeric });
  });
}

interface TraceRun {
  readonly dst: Ipv4;
  readonly maxTtl: number;
  readonly firstTtl: number;
  readonly nprobes: number;
  readonly waitNs: number;
  readonly basePort: number;
  readonly numeric: boolean;
}

function trace(proc: Process, o: TraceRun): void {
  const table = socketsFor(proc);
  const udp = table.udp({ owner: ownerOf(proc) });
  const raw = table.icmp({ owner: ownerOf(proc) });
  proc.onCleanup(() => {
    udp.close();
    raw.close();
  });
  const ident = (proc.pid & 0xffff) | 0x8000;
  if (!udp.bind(0, ident).ok) udp.bind(0, 0);
  const engine = proc.host.world.engine;
  let ttl = o.firstTtl;
  let probe = 0;
  let seq = 0;
  let line = '';
  let lastAddr: Ipv4 | undefined;
  let gotThere = false;
  let unreachable = 0;
  let sentAt = 0;
  let timer: ReturnType<Process['after']> | undefined;
  let waiting = false;

  const endHop = (): void => {
    proc.out(`${line}\n`);
    if (gotThere || (unreachable > 0 && unreachable >= o.nprobes - 1) || ttl >= o.maxTtl) {
      proc.exit(0);
      return;
    }
    ttl++;
    startHop();
  };
  const startHop = (): void => {
    line = String(ttl).padStart(2);
    probe = 0;
    lastAddr = undefined;
    gotThere = false;
    unreachable = 0;
    sendProbe();
  };
  const nextProbe = (): void => {
    waiting = false;
    probe++;
    if (probe >= o.nprobes) endHop();
    else sendProbe();
  };
  const sendProbe = (): void => {
    seq++;
    udp.ttl = ttl;
    const data = new Uint8Array(DATA_LENGTH);
    data[0] = seq & 0xff;
    data[1] = ttl & 0xff;
    sentAt = engine.now;
    waiting = true;
    const sent = udp.send(data, { addr: o.dst, port: (o.basePort + seq) & 0xffff });
    if (!sent.ok) {
      // sendto failed (no route): the probe simply gets no answer, as with a dropped packet.
    }
    timer = proc.after(o.waitNs, () => {
      line += '  *';
      nextProbe();
    });
  };
  raw.onMessage = (m: IcmpMessage) => {
    if (!waiting) return;
    const icmp = m.icmp;
    if (icmp.type !== 'time-exceeded' && icmp.type !== 'dest-unreachable') return;
    const q = decodeQuoted(icmp.quoted);
    if (!q.ok || q.value.ports === undefined || q.value.protocol !== 17) return;
    if (q.value.ports.srcPort !== udp.localPort || q.value.ports.dstPort !== ((o.basePort + seq) & 0xffff)) return;
    proc.cancelTimer(timer);
    const from = m.ip.src;
    if (lastAddr !== from) {
      const ip = formatIpv4(from);
      line += o.numeric ? `  ${ip}` : `  ${ip} (${ip})`;
      lastAddr = from;
    }
    line += `  ${msFixed3(engine.now - sentAt)} ms`;
    if (icmp.type === 'dest-unreachable') {
      const u = unreachMark(icmp.code);
      let mark = u.mark;
      if (icmp.code === 3 && m.ip.ttl <= 1) mark = ' !';
      line += mark;
      if (u.there) gotThere = true;
      if (u.unreachable) unreachable++;
    }
    nextProbe();
  };
  startHop();
}
