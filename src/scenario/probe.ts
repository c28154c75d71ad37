/**
 * One probe packet and its walk: runs the program a person would use to test a path (ping for
 * ICMP, `nc -z` for TCP, `nc -u` for UDP) from a source and picks out, from the trace records the
 * run produced, the first packet the source sent to the target and every record of that packet.
 *
 * Models: what `cnmsim trace` and the `trace` expectation show: the walk of one packet (and its
 * reply) through the simulated kernels, as recorded, never computed separately.
 * Leaves out: packets the probe sends after the first (retransmissions, the second ping).
 */
import type { TraceRecord } from '../engine/index.js';
import { formatIpv4 } from '../packet/index.js';
import type { Place, RunContext } from './context.js';
import { ip } from './trace-detail.js';

export type ProbeProto = 'icmp' | 'tcp' | 'udp';

export interface ProbeResult {
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly output: string;
  /** The probe packet's id, when the source sent one. */
  readonly packetId: number | undefined;
  /** Every record of the probe packet. */
  readonly walk: readonly TraceRecord[];
  /** Every record the probe run produced (the reply's walk included). */
  readonly all: readonly TraceRecord[];
}

export function probeArgv(proto: ProbeProto, address: number, port: number | undefined): string[] {
  const addr = formatIpv4(address);
  if (proto === 'icmp') return ['ping', '-c', '1', '-W', '1', addr];
  if (proto === 'tcp') return ['nc', '-z', '-w', '2', addr, String(port ?? 80)];
  return ['nc', '-u', '-z', '-w', '2', addr, String(port ?? 53)];
}

export function runProbe(ctx: RunContext, from: Place, proto: ProbeProto, address: number, port: number | undefined): ProbeResult {
  const trace = ctx.lab.world.trace;
  const before = trace.records.length;
  const argv = probeArgv(proto, address, port);
  const proc = ctx.run(from, argv);
  const all = trace.records.slice(before);
  const dst = formatIpv4(address);
  const first = all.find(
    (r) => r.kind === 'route' && r.detail['stage'] === 'output' && ip(r, 'dst') === dst && r.location.host === from.ns.host.name && r.location.netns === from.ns.name,
  );
  const packetId = first?.packetId;
  const walk = packetId === undefined ? [] : all.filter((r) => r.packetId === packetId);
  return { argv, exitCode: proc.exitCode ?? 0, output: `${proc.stdout}${proc.stderr}`, packetId, walk, all };
}

export type Verdict = { readonly verdict: 'delivered'; readonly at: TraceRecord } | { readonly verdict: 'dropped'; readonly at: TraceRecord; readonly by: string } | { readonly verdict: 'lost' };

/** What happened to the probe packet: delivered to a local stack, dropped (and by what), or neither. */
export function verdictOf(walk: readonly TraceRecord[]): Verdict {
  const drop = walk.find((r) => r.kind === 'drop');
  if (drop !== undefined) {
    const by = drop.detail['by'];
    return { verdict: 'dropped', at: drop, by: typeof by === 'string' ? by : String(drop.detail['reason'] ?? 'unknown') };
  }
  const delivered = walk.find((r) => r.kind === 'receive' && r.detail['stage'] === 'local');
  if (delivered !== undefined) return { verdict: 'delivered', at: delivered };
  return { verdict: 'lost' };
}

/** The `table/chain` names and devices a walk passed, for `passes:`. */
export function passedNames(walk: readonly TraceRecord[]): Set<string> {
  const names = new Set<string>();
  for (const r of walk) {
    if (r.location.device !== undefined) names.add(r.location.device);
    const table = r.detail['table'];
    const chain = r.detail['chain'];
    if (typeof table === 'string' && typeof chain === 'string') names.add(`${table}/${chain}`);
  }
  return names;
}
