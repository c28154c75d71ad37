/**
 * Codec throughput: encode plus decode of a VXLAN-in-UDP-in-IPv4 frame carrying a TCP segment
 * (the shape of every overlay packet), in packets per second.
 *
 * What is timed: `encodeFrame` of the outer frame (which encodes the inner frame, computes the
 * inner TCP and IPv4 checksums and the outer UDP and IPv4 checksums) followed by `decodeFrame`
 * of the bytes (which verifies all of them and decodes every layer). Median of 5 runs of 200,000
 * packets after a warm-up run.
 * Leaves out: pcap writing and trace formatting.
 */
import {
  TCP_ACK,
  TCP_PSH,
  decodeFrame,
  encodeFrame,
  ethernetFrame,
  ipv4Packet,
  mustParseIpv4,
  mustParseMac,
  textPayload,
  type EthernetRepr,
} from '../src/packet/index.js';

const PACKETS = 200_000;
const RUNS = 5;

function overlayFrame(): EthernetRepr {
  const inner = ethernetFrame({
    dst: mustParseMac('02:42:0a:00:01:03'),
    src: mustParseMac('02:42:0a:00:01:02'),
    payload: ipv4Packet({
      src: mustParseIpv4('10.0.1.2'),
      dst: mustParseIpv4('10.0.1.3'),
      id: 7,
      df: true,
      payload: {
        kind: 'tcp',
        srcPort: 41000,
        dstPort: 80,
        seq: 1000,
        ack: 2000,
        flags: TCP_PSH | TCP_ACK,
        window: 502,
        urgent: 0,
        options: [],
        payload: textPayload('GET / HTTP/1.1\r\nHost: web\r\nUser-Agent: Wget\r\n\r\n'),
      },
    }),
  });
  return ethernetFrame({
    dst: mustParseMac('02:fc:00:00:00:02'),
    src: mustParseMac('02:fc:00:00:00:01'),
    payload: ipv4Packet({
      src: mustParseIpv4('192.0.2.2'),
      dst: mustParseIpv4('192.0.2.3'),
      id: 9,
      payload: { kind: 'udp', srcPort: 51234, dstPort: 4789, payload: { kind: 'vxlan', vni: 4097, payload: inner } },
    }),
  });
}

function run(frame: EthernetRepr, count: number): number {
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const wire = encodeFrame(frame);
    const back = decodeFrame(wire);
    if (!back.ok) throw new Error(back.issue.message);
    bytes += wire.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (bytes === 0) throw new Error('nothing encoded');
  return count / seconds;
}

export function benchPacketCodec(): Record<string, number> {
  const frame = overlayFrame();
  run(frame, 20_000);
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) rates.push(run(frame, PACKETS));
  rates.sort((a, b) => a - b);
  return {
    'vxlan+udp+ipv4+tcp encode+decode (packets/s)': Math.round(rates[Math.floor(RUNS / 2)]!),
    'frame bytes': encodeFrame(frame).length,
  };
}
