// Hand-made walks for the teaching-trace tests: the records the kernel makes for a TCP SYN from c1
// to web across a user-defined bridge (and its SYN-ACK), a published-port DNAT, and one drop of
// each kind the advice knows. Field names follow src/kernel's trace calls.
import type { TraceRecord } from '../../../src/engine/index.js';
import type { TraceNames } from '../../../src/scenario/index.js';
import { rec, resetSeq } from './support.js';

export const BR = 'br-1a2b3c4d5e6f';

export const NAMES: TraceNames = {
  namespaces: new Map([
    ['host1/root', { label: 'host1', kind: 'root', host: 'host1' }],
    ['host1/sb-c1', { label: 'c1', kind: 'container', host: 'host1' }],
    ['host1/sb-web', { label: 'web', kind: 'container', host: 'host1' }],
    ['host1/sb-other', { label: 'other', kind: 'container', host: 'host1' }],
    ['client/root', { label: 'client', kind: 'root', host: 'client' }],
  ]),
  addresses: new Map([
    ['172.18.0.2', 'c1'],
    ['172.18.0.3', 'web'],
    ['172.19.0.2', 'other'],
    ['192.0.2.2', 'host1'],
    ['192.0.2.100', 'client'],
  ]),
  networks: [
    { host: 'host1', name: 'brnet', bridge: BR, internal: false, icc: true, containers: ['c1', 'web'] },
    { host: 'host1', name: 'othernet', bridge: 'br-99aa88bb77cc', internal: false, icc: true, containers: ['other'] },
    { host: 'host1', name: 'secret', bridge: 'br-5ec4e75ec4e7', internal: true, icc: true, containers: [] },
  ],
};

const C1 = 'host1/sb-c1';
const WEB = 'host1/sb-web';

export function synWalk(): { request: TraceRecord[]; reply: TraceRecord[]; all: TraceRecord[] } {
  resetSeq();
  const route = { prefix: '172.18.0.0/16', type: 'unicast', table: 'main', gateway: null, dev: 'eth0', rule: 32766 };
  const request = [
    rec(7, `${C1}/eth0`, 'route', { stage: 'output', dst: '172.18.0.3', src: '172.18.0.2', result: 'unicast', ...route }),
    rec(7, C1, 'conntrack', { event: 'new', hook: 'OUTPUT', ctstate: 'NEW', dir: 'original', orig: 'tcp 172.18.0.2:40006 > 172.18.0.3:80', reply: 'tcp 172.18.0.3:80 > 172.18.0.2:40006', tcp: 'SYN_SENT', flags: ['UNREPLIED'] }),
    rec(7, `${C1}/eth0`, 'neighbour', { ip: '172.18.0.3', state: 'reachable', action: 'send', mac: '02:42:ac:12:00:03' }),
    rec(7, `${C1}/eth0`, 'transmit', { src: '02:42:ac:12:00:02', dst: '02:42:ac:12:00:03', etherType: 2048 }),
    rec(7, 'host1/root/veth1111111', 'receive', { src: '02:42:ac:12:00:02', dst: '02:42:ac:12:00:03', etherType: 2048, pktType: 'otherhost' }),
    rec(7, `host1/root/${BR}`, 'bridge', { port: 'veth1111111', src: '02:42:ac:12:00:02', dst: '02:42:ac:12:00:03', learned: 'refreshed', decision: 'forward', to: 'veth2222222', local: false }),
    rec(7, `host1/root/${BR}`, 'netfilter', { hook: 'FORWARD', table: 'filter', chain: 'FORWARD', rule: 1, text: '-A FORWARD -j DOCKER-USER', verdict: 'jump', matched: true }),
    rec(7, `host1/root/${BR}`, 'netfilter', { hook: 'FORWARD', table: 'filter', chain: 'DOCKER-USER', rule: 1, text: '-A DOCKER-USER -j RETURN', verdict: 'return', matched: true }),
    rec(7, `host1/root/${BR}`, 'netfilter', {
      hook: 'FORWARD',
      table: 'filter',
      chain: 'FORWARD',
      rule: 5,
      text: `-A FORWARD -i ${BR} ! -o ${BR} -j ACCEPT`,
      verdict: 'no-match',
      matched: false,
      trace: `TRACE: filter:FORWARD:rule:5 IN=${BR} OUT=${BR}`,
    }),
    rec(7, `host1/root/${BR}`, 'netfilter', { hook: 'FORWARD', table: 'filter', chain: 'FORWARD', rule: 6, text: `-A FORWARD -i ${BR} -o ${BR} -j ACCEPT`, verdict: 'ACCEPT', matched: true }),
    rec(7, 'host1/root/veth2222222', 'transmit', { src: '02:42:ac:12:00:02', dst: '02:42:ac:12:00:03', etherType: 2048 }),
    rec(7, `${WEB}/eth0`, 'receive', { src: '02:42:ac:12:00:02', dst: '02:42:ac:12:00:03', etherType: 2048, pktType: 'host' }),
    rec(7, `${WEB}/eth0`, 'route', { stage: 'input', dst: '172.18.0.3', src: '172.18.0.2', iif: 'eth0', result: 'local', prefix: '172.18.0.3/32', type: 'local', table: 'local', gateway: null, dev: 'eth0', rule: 0 }),
    rec(7, `${WEB}/eth0`, 'receive', { stage: 'local', protocol: 6, src: '172.18.0.2', dst: '172.18.0.3', broadcast: false }),
    rec(7, `${WEB}/eth0`, 'socket', { action: 'deliver', socket: 'tcp 0.0.0.0:80', owner: 'nginx/1005', state: 'LISTEN' }),
  ];
  const noise = rec(0, WEB, 'socket', { action: 'state', socket: 'tcp 172.18.0.3:80 > 172.18.0.2:40006', from: 'LISTEN', to: 'SYN_RECV' });
  const reply = [
    rec(8, `${WEB}/eth0`, 'route', { stage: 'output', dst: '172.18.0.2', src: '172.18.0.3', result: 'unicast', ...route }),
    rec(8, `${WEB}/eth0`, 'transmit', { src: '02:42:ac:12:00:03', dst: '02:42:ac:12:00:02', etherType: 2048 }),
    rec(8, `host1/root/${BR}`, 'bridge', { port: 'veth2222222', src: '02:42:ac:12:00:03', dst: '02:42:ac:12:00:02', learned: 'refreshed', decision: 'forward', to: 'veth1111111', local: false }),
    rec(8, `${C1}/eth0`, 'receive', { stage: 'local', protocol: 6, src: '172.18.0.3', dst: '172.18.0.2', broadcast: false }),
    rec(8, `${C1}/eth0`, 'socket', { action: 'deliver', socket: 'tcp 172.18.0.2:40006 > 172.18.0.3:80', owner: 'nc/1010', state: 'SYN_SENT' }),
  ];
  return { request, reply, all: [...request, noise, ...reply] };
}

/** client → host1:8080, DNATed to web:80 (the first records of the walk). */
export function dnatWalk(): TraceRecord[] {
  resetSeq();
  return [
    rec(3, 'client/root/eth0', 'route', { stage: 'output', dst: '192.0.2.2', src: '192.0.2.100', result: 'unicast', prefix: '192.0.2.0/24', table: 'main', gateway: null, dev: 'eth0', rule: 32766 }),
    rec(3, 'client/root/eth0', 'neighbour', { ip: '192.0.2.2', state: 'incomplete', action: 'queued', mac: null }),
    rec(3, 'underlay/underlay/port2', 'bridge', { learned: 'refreshed', port: 'port2', decision: 'forward', to: 'port1', dst: '02:00:00:00:00:01' }),
    rec(3, 'host1/root', 'conntrack', { event: 'new', hook: 'PREROUTING', ctstate: 'NEW', dir: 'original', orig: 'tcp 192.0.2.100:40006 > 192.0.2.2:8080', reply: 'tcp 192.0.2.2:8080 > 192.0.2.100:40006', tcp: 'SYN_SENT', flags: ['UNREPLIED'] }),
    rec(3, 'host1/root/eth0', 'netfilter', { hook: 'PREROUTING', table: 'nat', chain: 'DOCKER', rule: 3, text: `-A DOCKER ! -i ${BR} -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.3:80`, verdict: 'DNAT', matched: true }),
    rec(3, 'host1/root', 'conntrack', { event: 'nat', manip: 'DST', binding: 'DNAT tcp 192.0.2.100:40006 > 192.0.2.2:8080 -> tcp 192.0.2.100:40006 > 172.18.0.3:80', changed: true, nullBinding: false }),
    rec(3, 'host1/root/eth0', 'rewrite', { hook: 'PREROUTING', nat: 'DNAT', before: 'tcp 192.0.2.100:40006 > 192.0.2.2:8080', after: 'tcp 192.0.2.100:40006 > 172.18.0.3:80' }),
    rec(3, 'host1/root/eth0', 'route', { stage: 'input', dst: '172.18.0.3', src: '192.0.2.100', iif: 'eth0', result: 'forward', nexthop: '172.18.0.3', prefix: '172.18.0.0/16', type: 'unicast', table: 'main', gateway: null, dev: BR, rule: 32766 }),
    rec(3, 'host1/root/eth0', 'ttl', { from: 64, to: 63, action: 'decrement' }),
  ];
}

/** A walk from `source` (namespace key) ending in `drop` at host1's root namespace. */
export function dropWalk(source: string, dst: string, drop: Record<string, string | number>, at = 'host1/root'): TraceRecord[] {
  resetSeq();
  return [
    rec(1, `${source}/eth0`, 'route', { stage: 'output', dst, src: '172.18.0.2', result: 'unicast', prefix: '0.0.0.0/0', table: 'main', gateway: '172.18.0.1', dev: 'eth0', rule: 32766 }),
    rec(1, `${at}/${BR}`, 'route', { stage: 'input', dst, src: '172.18.0.2', result: 'forward', nexthop: dst, prefix: '172.19.0.0/16', table: 'main', gateway: null, dev: 'br-99aa88bb77cc', rule: 32766 }),
    rec(1, `${at}/${BR}`, 'drop', { reason: 'netfilter', ...drop }),
  ];
}
