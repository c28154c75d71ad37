// Drop advice: the deciding step in words and what would let the packet through, in Docker's
// terms, for each drop the advice knows; and detail values in either representation the kernel
// may store (dotted text or integers).
import { describe, expect, it } from 'vitest';
import { explainDrop, renderWalkBlock, type TraceNames } from '../../../src/scenario/index.js';
import { ip, mac, protocol } from '../../../src/scenario/trace-detail.js';
import { BR, NAMES, dropWalk } from './hand-made-walks.js';
import { rec, resetSeq } from './support.js';

const C1 = 'host1/sb-c1';

function explain(walk: ReturnType<typeof dropWalk>, names: TraceNames = NAMES, hint = {}) {
  return explainDrop(walk[walk.length - 1]!, walk, names, hint);
}

describe('explainDrop', () => {
  it('names the networks for DOCKER-ISOLATION-STAGE-2 and says how to connect them', () => {
    const e = explain(dropWalk(C1, '172.19.0.2', { by: 'filter/DOCKER-ISOLATION-STAGE-2', rule: 2, text: '-A DOCKER-ISOLATION-STAGE-2 -o br-99aa88bb77cc -j DROP' }));
    expect(e.decided).toBe('filter/DOCKER-ISOLATION-STAGE-2 rule 2: -A DOCKER-ISOLATION-STAGE-2 -o br-99aa88bb77cc -j DROP');
    expect(e.why).toBe('c1 and other are on different networks (brnet and othernet); Docker isolates bridge networks from each other');
    expect(e.fix).toBe("connect one to the other's network: docker network connect othernet c1");
  });

  it('reads a FORWARD policy DROP between containers as different networks, and from outside as an unpublished port', () => {
    const policy = { by: 'filter/FORWARD', rule: 9, text: '-P FORWARD DROP' };
    expect(explain(dropWalk(C1, '172.19.0.2', policy)).fix).toBe("connect one to the other's network: docker network connect othernet c1");
    const fromOutside = explain(dropWalk('client/root', '172.18.0.3', policy), NAMES, { port: 80, proto: 'tcp' });
    expect(fromOutside.why).toContain('containers are reached only through published ports');
    expect(fromOutside.fix).toBe("publish the port: docker run -p HOSTPORT:80 ... web, then connect to the host's address");
  });

  it('says the DOCKER-USER rule that dropped it', () => {
    const e = explain(dropWalk(C1, '172.19.0.2', { by: 'filter/DOCKER-USER', rule: 1, text: '-A DOCKER-USER -s 172.18.0.2/32 -j DROP' }));
    expect(e.why).toBe('the DOCKER-USER rule 1 dropped it (-A DOCKER-USER -s 172.18.0.2/32 -j DROP); Docker never writes rules there, so someone added it');
    expect(e.fix).toContain('iptables -D DOCKER-USER 1');
  });

  it('recognises icc=false by its -i br -o br -j DROP rule', () => {
    const e = explain(dropWalk(C1, '172.18.0.3', { by: 'filter/FORWARD', rule: 7, text: `-A FORWARD -i ${BR} -o ${BR} -j DROP` }));
    expect(e.why).toBe('icc is disabled on network brnet (com.docker.network.bridge.enable_icc=false): containers on it cannot talk to each other');
  });

  it('recognises an internal network by its ! -s / ! -d isolation rules', () => {
    const e = explain(dropWalk(C1, '192.0.2.100', { by: 'filter/DOCKER-ISOLATION-STAGE-1', rule: 3, text: '-A DOCKER-ISOLATION-STAGE-1 ! -d 172.20.0.0/16 -i br-5ec4e75ec4e7 -j DROP' }));
    expect(e.why).toMatch(/^network secret is --internal/);
    expect(e.fix).toBe('connect the container to a second, non-internal network as well: docker network connect NETWORK c1');
  });

  it('explains a closed port on a host as a port that is not published', () => {
    resetSeq();
    const walk = [
      rec(1, 'client/root/eth0', 'route', { stage: 'output', dst: '192.0.2.2', src: '192.0.2.100', result: 'unicast', dev: 'eth0', prefix: '192.0.2.0/24', table: 'main', gateway: null }),
      rec(1, 'host1/root', 'conntrack', { event: 'new', orig: 'tcp 192.0.2.100:40000 > 192.0.2.2:8080', ctstate: 'NEW' }),
      rec(1, 'host1/root/eth0', 'drop', { reason: 'rst-sent', protocol: 6, dst: '192.0.2.2' }),
    ];
    const e = explainDrop(walk[2]!, walk, NAMES);
    expect(e.why).toBe('nothing listens on host1:8080/tcp, and no DNAT rule in nat/DOCKER matched it: the port is not published; its kernel answered with a TCP reset');
    expect(e.fix).toBe('publish the port: docker run -p 8080:CONTAINERPORT ...');
  });

  it('puts no-route and neigh-failed in plain words', () => {
    resetSeq();
    const noRoute = rec(1, `${C1}`, 'drop', { reason: 'no-route', stage: 'reroute', errno: 'ENETUNREACH' });
    expect(explainDrop(noRoute, [noRoute], NAMES, {}).why).toBe('c1 has no route to the destination');
    const neigh = rec(1, 'host1/root/br0', 'drop', { reason: 'neigh-failed', neighbour: '10.10.0.9', dev: 'br0' });
    expect(explainDrop(neigh, [neigh], NAMES, {}).why).toBe('nobody answered ARP for 10.10.0.9 on br0: no machine with that address is on that link');
  });

  it('renders the drop with its advice in the walk', () => {
    const walk = dropWalk(C1, '172.19.0.2', { by: 'filter/DOCKER-ISOLATION-STAGE-2', rule: 2, text: '-A DOCKER-ISOLATION-STAGE-2 -o br-99aa88bb77cc -j DROP' });
    const lines = renderWalkBlock('request', walk, { depth: 'learner', names: NAMES });
    expect(lines).toEqual([
      'request, packet 1: dropped in host1 (netfilter)',
      '── host1 / c1 (netns) ──',
      '  c1 sends to 172.19.0.2 (other) through eth0, via the gateway 172.18.0.1',
      '── host1 (root netns) ──',
      "  host1's kernel routes it on to 172.19.0.2 (other) through br-99aa88bb77cc",
      '  ✗ host1 drops it: filter/DOCKER-ISOLATION-STAGE-2 rule 2: -A DOCKER-ISOLATION-STAGE-2 -o br-99aa88bb77cc -j DROP',
      '    why: c1 and other are on different networks (brnet and othernet); Docker isolates bridge networks from each other',
      "    fix: connect one to the other's network: docker network connect othernet c1",
    ]);
  });
});

describe('detail values', () => {
  it('reads addresses, MACs and protocols stored as numbers or as text', () => {
    resetSeq();
    const r = rec(1, 'h/root', 'route', { a: 0xac120003, b: '172.18.0.3', m: 0x0242ac120002, n: '02:42:ac:12:00:02', p: 6, q: 'udp' });
    expect([ip(r, 'a'), ip(r, 'b'), mac(r, 'm'), mac(r, 'n'), protocol(r, 'p'), protocol(r, 'q'), ip(r, 'missing')]).toEqual([
      '172.18.0.3',
      '172.18.0.3',
      '02:42:ac:12:00:02',
      '02:42:ac:12:00:02',
      'tcp',
      'udp',
      undefined,
    ]);
  });

  it('renders a walk whose addresses are integers the same as one with text', () => {
    const text = dropWalk(C1, '172.19.0.2', { by: 'filter/DOCKER-USER', rule: 1, text: '-A DOCKER-USER -j DROP' });
    const numeric = text.map((r) => (r.kind === 'route' ? { ...r, detail: { ...r.detail, dst: 0xac130002, src: 0xac120002 } } : r));
    const render = (w: typeof text) => renderWalkBlock('request', w, { depth: 'operator', names: NAMES });
    expect(render(numeric)).toEqual(render(text));
  });
});
