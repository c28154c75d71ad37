/**
 * Packet capture of a whole scenario run into pcapng: a tap on every device of every namespace
 * of every machine, including namespaces and devices created later (containers, veth pairs,
 * bridges), each frame stored with its virtual time and a comment that links it to the trace:
 * `pkt 12 rec 40` (the packet id and the sequence number of the receive or transmit record the
 * device makes for it right after its taps run).
 *
 * Models: `tcpdump -i any` on every namespace at once, written the way Wireshark reads several
 * interfaces (pcapng, draft-ietf-opsawg-pcapng: one Interface Description Block per capture
 * point, Enhanced Packet Blocks with `opt_comment`). A capture point is a device in a namespace,
 * named `host1:eth0` (a machine's root namespace), `c1:eth0` (a container) or `host1/ns1:veth0`
 * (an `ip netns` namespace). The frames are the device's own view, encoded to the bytes Linux
 * would put on the wire (src/packet encodeFrame).
 *
 * Hooks used: `Host.onNamespace` (every present and future namespace) and the namespace's
 * netdev notifier (`register`, which every device creation and namespace move raises), so no
 * kernel code knows about captures. Names are given when the files are written, after the run,
 * because a container's namespace exists before Docker has told anyone its name.
 * Leaves out: the underlay switch's own ports (capture the machines' eth0 instead), snaplen
 * other than the default, per-direction flags.
 */
import type { CaptureDirection, NetDevice, NetNamespace, Skb } from '../kernel/index.js';
import { encodeFrame, PcapngWriter } from '../packet/index.js';
import type { Lab } from './machines.js';
import { labNames, namespaceLabel, type TraceNames } from './trace-names.js';

interface Captured {
  readonly point: number;
  readonly time: number;
  readonly bytes: Uint8Array;
  readonly comment: string;
}

interface RawPoint {
  readonly ns: NetNamespace;
  readonly device: string;
  readonly kind: string;
}

/** A capture point as written: its name and how many frames it saw. */
export interface CapturePoint {
  readonly name: string;
  /** The container, machine, or `host/netns` the device is in. */
  readonly owner: string;
  readonly device: string;
  readonly packets: number;
}

const WRITER_OPTIONS = { userAppl: 'cnmsim', hardware: 'simulated', os: 'Linux (simulated by cnmsim)' } as const;

export class PacketCapture {
  private readonly lab: Lab;
  private readonly raw: RawPoint[] = [];
  private readonly index = new Map<NetNamespace, Map<string, number>>();
  private readonly frames: Captured[] = [];
  private names: TraceNames | undefined;

  private constructor(lab: Lab) {
    this.lab = lab;
  }

  /** Taps every device of `lab`, now and later. Call before the steps run (`onLab`). */
  static attach(lab: Lab): PacketCapture {
    const capture = new PacketCapture(lab);
    const tap = (dev: NetDevice, skb: Skb, _direction: CaptureDirection): void => capture.record(dev, skb);
    for (const host of lab.world.hosts.values()) {
      host.onNamespace((ns) => {
        for (const dev of ns.devices.values()) dev.taps.add(tap);
        ns.onNetdevEvent((event, dev) => {
          if (event === 'register') dev.taps.add(tap);
        });
      });
    }
    return capture;
  }

  private record(dev: NetDevice, skb: Skb): void {
    const trace = this.lab.world.trace;
    // The device records its receive/transmit right after its taps: that record's seq.
    const rec = trace.size + trace.truncated;
    this.frames.push({ point: this.pointOf(dev), time: this.lab.world.engine.now, bytes: encodeFrame(skb.frame), comment: `pkt ${skb.id} rec ${rec}` });
  }

  private pointOf(dev: NetDevice): number {
    let byName = this.index.get(dev.netns);
    if (byName === undefined) {
      byName = new Map();
      this.index.set(dev.netns, byName);
    }
    let i = byName.get(dev.name);
    if (i === undefined) {
      i = this.raw.length;
      this.raw.push({ ns: dev.netns, device: dev.name, kind: dev.kind });
      byName.set(dev.name, i);
    }
    return i;
  }

  /** The names as they are now (call after the run). */
  private currentNames(): TraceNames {
    this.names ??= labNames(this.lab);
    return this.names;
  }

  private ownerOf(p: RawPoint): string {
    return namespaceLabel(this.currentNames(), p.ns).label;
  }

  /** Every capture point that saw a frame, in the order they saw their first one. */
  points(): CapturePoint[] {
    const counts = new Array<number>(this.raw.length).fill(0);
    for (const f of this.frames) counts[f.point] = (counts[f.point] ?? 0) + 1;
    return this.raw.map((p, i) => {
      const owner = this.ownerOf(p);
      return { name: `${owner}:${p.device}`, owner, device: p.device, packets: counts[i] ?? 0 };
    });
  }

  /** A pcapng file with the points `select` keeps, one interface block each, frames in time order. */
  file(select: (point: CapturePoint) => boolean = () => true): Uint8Array {
    const points = this.points();
    const writer = new PcapngWriter(WRITER_OPTIONS);
    const ids = new Map<number, number>();
    points.forEach((p, i) => {
      if (!select(p)) return;
      const raw = this.raw[i]!;
      ids.set(i, writer.addInterface(p.name, { description: `${raw.kind} device ${p.device} of ${p.owner} (${raw.ns.host.name}/${raw.ns.name})` }));
    });
    for (const f of this.frames) {
      const id = ids.get(f.point);
      if (id !== undefined) writer.add(id, f.time, f.bytes, f.comment);
    }
    return writer.bytes();
  }

  /** A pcapng file with one (possibly empty) interface for a point that saw no frame. */
  static emptyFile(name: string): Uint8Array {
    const writer = new PcapngWriter(WRITER_OPTIONS);
    writer.addInterface(name);
    return writer.bytes();
  }
}

/**
 * Whether `point` is selected by `--at` (`host1:eth0` one point, `c1` or `host1` every device of
 * that container or machine, `host1/ns1` every device of that named namespace).
 */
export function captureSelected(point: CapturePoint, at: readonly string[]): boolean {
  if (at.length === 0) return true;
  return at.some((a) => a === point.name || a === point.owner);
}
