/**
 * A probe's two walks: the request packet's records and its reply's. The request is the first
 * packet the source sent to the target (probe.ts finds it); the reply is read off the same
 * records, never computed: the ICMP error a kernel sent about the request (its `icmp` record
 * names the new packet), or else the first packet the namespace that received the request sent
 * back to the request's source address after receiving it (the echo reply, the SYN-ACK, the
 * RST of a closed port).
 *
 * Models: what `tcpdump` shows a person on both ends of a test (`ping` and its reply, a SYN and
 * its SYN-ACK), with the packet ids the trace keeps across NAT (design.md section 4), so the
 * reply's un-NAT on the way back is part of its walk.
 * Leaves out: retransmissions and every packet after the first reply.
 */
import type { TraceRecord } from '../engine/index.js';
import { ip, nsKey, num, text } from './trace-detail.js';

export interface ProbeWalks {
  readonly requestId: number | undefined;
  readonly request: readonly TraceRecord[];
  readonly replyId: number | undefined;
  readonly reply: readonly TraceRecord[];
}

/** Splits the records of a probe run into the request's walk and its reply's. */
export function probeWalks(all: readonly TraceRecord[], requestId: number | undefined): ProbeWalks {
  if (requestId === undefined) return { requestId, request: [], replyId: undefined, reply: [] };
  const request = all.filter((r) => r.packetId === requestId);
  const replyId = replyPacket(all, request, requestId);
  const reply = replyId === undefined ? [] : all.filter((r) => r.packetId === replyId && r.seq > (request[0]?.seq ?? -1));
  return { requestId, request, replyId, reply };
}

function replyPacket(all: readonly TraceRecord[], request: readonly TraceRecord[], requestId: number): number | undefined {
  const icmp = request.find((r) => r.kind === 'icmp' && text(r, 'action') === 'sent');
  const errorId = icmp === undefined ? undefined : num(icmp, 'packet');
  if (errorId !== undefined && errorId !== 0) return errorId;
  // Where the request ended up: its local delivery, else its last record.
  const delivered = [...request].reverse().find((r) => r.kind === 'receive' && text(r, 'stage') === 'local');
  const anchor = delivered ?? request[request.length - 1];
  if (anchor === undefined) return undefined;
  const back = delivered === undefined ? sourceOf(request) : ip(delivered, 'src');
  if (back === undefined) return undefined;
  const at = nsKey(anchor);
  const answer = all.find(
    (r) =>
      r.seq > anchor.seq &&
      r.packetId !== requestId &&
      r.packetId !== 0 &&
      r.kind === 'route' &&
      text(r, 'stage') === 'output' &&
      nsKey(r) === at &&
      ip(r, 'dst') === back,
  );
  return answer?.packetId;
}

/** The request's source address, from its first route lookup. */
function sourceOf(request: readonly TraceRecord[]): string | undefined {
  const first = request.find((r) => r.kind === 'route');
  return first === undefined ? undefined : ip(first, 'src');
}
