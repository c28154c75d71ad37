/**
 * `tcpdump`: watches a device's capture tap and prints one line per frame, or writes a pcap
 * file, with timestamps from the virtual clock.
 *
 * Models: tcpdump 4.99 / libpcap: `-i DEV` (default: the first up device that is not loopback;
 * `any` for all of them, printed as `DEV Out`/`DEV In ` like the Linux "cooked" capture), `-n`,
 * `-e` (link-level header), `-c N` (stop after N frames), `-w FILE` (savefile, nanosecond
 * pcap, link type Ethernet), a filter expression (`icmp`, `tcp`, `udp`, `arp`, `ip`,
 * `[src|dst] host A`, `[tcp|udp] [src|dst] port N`, `net A/N`, with `and`/`or`/`not` and
 * parentheses); the banner on stderr (`listening on eth0, link-type EN10MB (Ethernet), snapshot
 * length 262144 bytes`) and at the end the packet counts; SIGTERM or SIGINT ends a capture
 * cleanly with status 0. Time of day is the virtual clock from midnight, `HH:MM:SS.uuuuuu`. A
 * tap sees a frame where Linux's `dev_queue_xmit_nit` / `__netif_receive_skb` would (see
 * `device.ts`).
 * Files written with `-w` go to the world's capture registry (`capturedFiles(world)`), keyed
 * by `host:netns:path`, since the process file system holds text.
 * Leaves out: name resolution (output is always as with `-n`), `-v` decoding, BPF beyond the
 * primitives above, `-s` snap lengths, pcapng output, `-r`.
 */
import { PcapWriter, cidrContains, encodeFrame, isCidr, parseCidr, parseIpv4, summarizeFrame, type EthernetRepr } from '../../packet/index.js';
import type { CaptureDirection, CaptureTap, NetDevice } from '../device.js';
import type { Process } from '../process.js';
import type { World } from '../world.js';
import { getopt, parseCount } from './args.js';

const CAPTURES_KEY = 'pcap-files';

/** The pcap files `tcpdump -w` wrote, by `host:netns:path`. */
export function capturedFiles(world: World): Map<string, Uint8Array> {
  let files = world.ext.get(CAPTURES_KEY) as Map<string, Uint8Array> | undefined;
  if (files === undefined) {
    files = new Map();
    world.ext.set(CAPTURES_KEY, files);
  }
  return files;
}

type Filter = (frame: EthernetRepr) => boolean;

/** Parses a capture filter; a string is the error tcpdump prints. */
export function parseFilter(words: readonly string[]): Filter | string {
  const tokens = words.join(' ').replace(/[()]/g, m => ` ${m} `).split(/\s+/).filter(t => t !== '');
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const fail = (): string => `syntax error in filter expression: ${tokens.join(' ')}`;
  const parseOr = (): Filter | string => {
    let left = parseAnd();
    while (typeof left !== 'string' && (peek() === 'or' || peek() === '||')) {
      pos++;
      const right = parseAnd();
      if (typeof right === 'string') return right;
      const l = left;
      left = f => l(f) || right(f);
    }
    return left;
  };
  const parseAnd = (): Filter | string => {
    let left = parseNot();
    while (typeof left !== 'string' && (peek() === 'and' || peek() === '&&')) {
      pos++;
      const right = parseNot();
      if (typeof right === 'string') return right;
      const l = left;
      left = f => l(f) && right(f);
    }
    return left;
  };
  const parseNot = (): Filter | string => {
    if (peek() === 'not' || peek() === '!') {
      pos++;
      const inner = parseNot();
      return typeof inner === 'string' ? inner : f => !inner(f);
    }
    if (peek() === '(') {
      pos++;
      const inner = parseOr();
      if (peek() !== ')') return fail();
      pos++;
      return inner;
    }
    return parsePrimitive();
  };
  const parsePrimitive = (): Filter | string => {
    let proto: string | undefined;
    let dir: 'src' | 'dst' | undefined;
    let t = tokens[pos++];
    if (t === 'tcp' || t === 'udp' || t === 'icmp' || t === 'arp' || t === 'ip') {
      const next = peek();
      if (next !== 'port' && next !== 'src' && next !== 'dst') return protoFilter(t);
      proto = t;
      t = tokens[pos++];
    }
    if (t === 'src' || t === 'dst') {
      dir = t;
      t = tokens[pos++];
    }
    if (t === 'host') {
      const ip = parseIpv4(tokens[pos++] ?? '');
      if (ip === undefined) return fail();
      return f => ipMatch(f, a => a === ip, dir);
    }
    if (t === 'net') {
      const c = parseCidr(tokens[pos++] ?? '');
      if (!isCidr(c)) return fail();
      return f => ipMatch(f, a => cidrContains(c, a), dir);
    }
    if (t === 'port') {
      const port = parseCount(tokens[pos++]);
      if (port === undefined) return fail();
      return f => portMatch(f, port, dir, proto);
    }
    if (t !== undefined && dir !== undefined) {
      const ip = parseIpv4(t);
      if (ip !== undefined) return f => ipMatch(f, a => a === ip, dir);
    }
    return fail();
  };
  if (tokens.length === 0) return () => true;
  const result = parseOr();
  if (typeof result !== 'string' && pos !== tokens.length) return fail();
  return result;
}

function protoFilter(proto: string): Filter {
  return f => {
    if (proto === 'arp') return f.payload.kind === 'arp';
    if (f.payload.kind !== 'ipv4') return false;
    if (proto === 'ip') return true;
    const p = f.payload.protocol;
    return proto === 'tcp' ? p === 6 : proto === 'udp' ? p === 17 : p === 1;
  };
}

function ipMatch(f: EthernetRepr, test: (ip: number) => boolean, dir: 'src' | 'dst' | undefined): boolean {
  const p = f.payload;
  if (p.kind === 'ipv4') return (dir !== 'dst' && test(p.src)) || (dir !== 'src' && test(p.dst));
  if (p.kind === 'arp') return (dir !== 'dst' && test(p.senderIp)) || (dir !== 'src' && test(p.targetIp));
  return false;
}

function portMatch(f: EthernetRepr, port: number, dir: 'src' | 'dst' | undefined, proto: string | undefined): boolean {
  const p = f.payload;
  if (p.kind !== 'ipv4') return false;
  const l4 = p.payload;
  if (l4.kind !== 'tcp' && l4.kind !== 'udp') return false;
  if (proto !== undefined && proto !== l4.kind) return false;
  return (dir !== 'dst' && l4.srcPort === port) || (dir !== 'src' && l4.dstPort === port);
}

/** `HH:MM:SS.uuuuuu` of virtual time. */
export function timeOfDay(ns: number): string {
  const us = Math.floor(ns / 1000);
  const secs = Math.floor(us / 1e6) % 86400;
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(secs / 3600))}:${two(Math.floor((secs % 3600) / 60))}:${two(secs % 60)}.${String(us % 1e6).padStart(6, '0')}`;
}

export function tcpdump(proc: Process, argv: readonly string[]): void {
  const args = getopt(argv.slice(1), 'i:nNec:w:vqs:AXxlSt');
  if (args.error !== undefined) {
    proc.err(`tcpdump: ${args.error}\n`);
    proc.exit(1);
    return;
  }
  const filter = parseFilter(args.operands);
  if (typeof filter === 'string') {
    proc.err(`tcpdump: ${filter}\n`);
    proc.exit(1);
    return;
  }
  const ns = proc.ns;
  const ifname = args.get('i') ?? ns.sortedDevices().find(d => d.kind !== 'loopback' && d.adminUp)?.name;
  const any = ifname === 'any';
  const devices: NetDevice[] = any ? ns.sortedDevices() : [];
  if (!any) {
    const dev = ifname === undefined ? undefined : ns.device(ifname);
    if (dev === undefined) {
      proc.err(ifname === undefined ? 'tcpdump: no suitable device found\n' : `tcpdump: ${ifname}: No such device exists\n(SIOCGIFHWADDR: No such device)\n`);
      proc.exit(1);
      return;
    }
    devices.push(dev);
  }
  const limit = parseCount(args.get('c'));
  const file = args.get('w');
  const link = args.has('e');
  const writer = file === undefined ? undefined : new PcapWriter();
  const linkType = any ? 'LINUX_SLL2 (Linux cooked v2)' : 'EN10MB (Ethernet)';
  if (writer === undefined) proc.err('tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n');
  proc.err(`${writer === undefined ? '' : 'tcpdump: '}listening on ${ifname}, link-type ${linkType}, snapshot length 262144 bytes\n`);
  const engine = proc.host.world.engine;
  let captured = 0;
  const tap: CaptureTap = (dev: NetDevice, skb, direction: CaptureDirection) => {
    if (proc.done || !filter(skb.frame)) return;
    captured++;
    if (writer !== undefined) writer.add(engine.now, encodeFrame(skb.frame));
    else {
      const summary = summarizeFrame(skb.frame, { link: link && !any });
      const prefix = any ? `${dev.name} ${direction === 'tx' ? 'Out' : 'In '} ` : '';
      proc.out(`${timeOfDay(engine.now)} ${prefix}${summary}\n`);
    }
    if (limit !== undefined && captured >= limit) stop();
  };
  const stop = (): void => {
    proc.err(`${captured} packet${captured === 1 ? '' : 's'} captured\n${captured} packet${captured === 1 ? '' : 's'} received by filter\n0 packets dropped by kernel\n`);
    proc.exit(0);
  };
  for (const dev of devices) dev.taps.add(tap);
  proc.onCleanup(() => {
    for (const dev of devices) dev.taps.delete(tap);
    if (writer !== undefined && file !== undefined) capturedFiles(proc.host.world).set(`${proc.host.name}:${ns.name}:${file}`, writer.bytes());
  });
  proc.onSignal(() => {
    proc.err('\n');
    stop();
  });
}
