// The teaching-trace renderer on hand-made records: the three depths as goldens, namespace
// blocks, the DNAT rewrite as before/after, styles applied only through TraceStyle, and the
// reply found by probeWalks among unrelated records.
import { describe, expect, it } from 'vitest';
import { NO_NAMES, probeWalks, renderTeachingTrace, renderWalkBlock, walkVerdict, type TraceStyle } from '../../../src/scenario/index.js';
import { BR, NAMES, dnatWalk, synWalk } from './hand-made-walks.js';
import { expectGolden } from './support.js';

describe('teaching trace of a SYN across a user-defined bridge', () => {
  const { request, reply } = synWalk();
  const input = { title: 'c1 → web:80 (tcp)', request, reply };

  it.each(['learner', 'operator', 'kernel'] as const)('matches the %s golden', (depth) => {
    expectGolden(`hand-made-syn.${depth}.txt`, renderTeachingTrace(input, { depth, names: NAMES }));
  });

  it('says each hop in one plain sentence at learner depth', () => {
    const text = renderTeachingTrace(input, { depth: 'learner', names: NAMES });
    expect(text).toContain('c1 sends to 172.18.0.3 (web) through eth0');
    expect(text).toContain(`the bridge ${BR} forwards it to veth2222222 (learned port)`);
    expect(text).toContain("web's kernel delivers it to nginx on port 80 (listening)");
    expect(text).not.toContain('filter/FORWARD');
  });

  it('draws a header line each time the namespace changes', () => {
    const lines = renderTeachingTrace(input, { depth: 'learner', names: NAMES }).split('\n');
    const headers = lines.filter((l) => l.startsWith('── '));
    expect(headers).toEqual([
      '── host1 / c1 (netns) ──',
      '── host1 (root netns) ──',
      '── host1 / web (netns) ──',
      '── host1 / web (netns) ──',
      '── host1 (root netns) ──',
      '── host1 / c1 (netns) ──',
    ]);
    for (const l of lines.filter((x) => x.startsWith(' '))) expect(l.startsWith('  ')).toBe(true);
  });

  it('shows matched rules at operator depth and every evaluated rule with TRACE lines at kernel depth', () => {
    const operator = renderTeachingTrace(input, { depth: 'operator', names: NAMES });
    expect(operator).toContain(`filter/FORWARD rule 6: -A FORWARD -i ${BR} -o ${BR} -j ACCEPT → ACCEPT`);
    expect(operator).not.toContain('rule 5');
    expect(operator).toContain('route output: 172.18.0.3 matched 172.18.0.0/16 dev eth0 (table main) → unicast');
    const kernel = renderTeachingTrace(input, { depth: 'kernel', names: NAMES });
    expect(kernel).toContain(`FORWARD filter/FORWARD #5 -A FORWARD -i ${BR} ! -o ${BR} -j ACCEPT → no-match`);
    expect(kernel).toContain(`TRACE: filter:FORWARD:rule:5 IN=${BR} OUT=${BR}`);
    expect(kernel).toMatch(/#3 +tx eth0: 02:42:ac:12:00:02 > 02:42:ac:12:00:03 IPv4/);
  });

  it('falls back to the locations when no names are known', () => {
    const text = renderTeachingTrace(input, { depth: 'learner', names: NO_NAMES });
    expect(text).toContain('── host1 / sb-c1 (netns) ──');
    expect(text).toContain('sb-c1 sends to 172.18.0.3 through eth0');
  });

  it('paints through the style only', () => {
    const tag = (name: string) => (s: string) => `<${name}>${s}</${name}>`;
    const style: TraceStyle = { title: tag('t'), header: tag('h'), ok: tag('ok'), drop: tag('x'), rewrite: tag('rw'), rule: tag('r'), detail: tag('d') };
    const text = renderTeachingTrace(input, { depth: 'operator', names: NAMES, style });
    expect(text.startsWith('<t>c1 → web:80 (tcp)</t>')).toBe(true);
    expect(text).toContain('<h>── host1 / c1 (netns) ──</h>');
    expect(text).toContain('request, packet 7: <ok>delivered in web</ok>');
    expect(text).toContain('<r>filter/FORWARD rule 6');
  });
});

describe('rewrites', () => {
  it('shows a DNAT as one sentence for learners and as before/after for operators', () => {
    const walk = dnatWalk();
    const learner = renderWalkBlock('request', walk, { depth: 'learner', names: NAMES }).join('\n');
    expect(learner).toContain('host1 rewrites the destination 192.0.2.2:8080 → 172.18.0.3:80 (DNAT)');
    expect(learner).toContain('── underlay switch ──');
    expect(learner).toContain('client does not know the MAC address of 192.0.2.2 yet: it asks with ARP and holds the packet');
    const operator = renderWalkBlock('request', walk, { depth: 'operator', names: NAMES }).join('\n');
    expect(operator).toContain('    before: tcp 192.0.2.100:40006 > 192.0.2.2:8080');
    expect(operator).toContain('    after:  tcp 192.0.2.100:40006 > 172.18.0.3:80   (PREROUTING)');
    expect(operator).toContain(`nat/DOCKER rule 3: -A DOCKER ! -i ${BR} -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.3:80 → DNAT`);
    expect(operator).toContain('conntrack: new connection tcp 192.0.2.100:40006 > 192.0.2.2:8080 (NEW, tcp SYN_SENT)');
    expect(operator).toContain('ttl 64 → 63');
    expect(walkVerdict(walk).kind).toBe('lost');
    expect(operator.split('\n')[0]).toBe('request, packet 3: lost: neither delivered nor dropped in the records');
  });
});

describe('probeWalks', () => {
  it('finds the reply: the first packet the receiving namespace sends back to the source', () => {
    const { all, request, reply } = synWalk();
    const walks = probeWalks(all, 7);
    expect(walks.request).toEqual(request);
    expect(walks.replyId).toBe(8);
    expect(walks.reply).toEqual(reply);
  });

  it('takes an ICMP error the kernel sent about the request as its reply', () => {
    const { request } = synWalk();
    const icmp = { ...request[2]!, seq: 100, kind: 'icmp' as const, detail: { action: 'sent', message: 'destination unreachable (port)', to: '172.18.0.2', packet: 42 } };
    const error = { ...request[0]!, seq: 101, packetId: 42 };
    const walks = probeWalks([...request.slice(0, 3), icmp, error], 7);
    expect(walks.replyId).toBe(42);
    expect(walks.reply).toEqual([error]);
  });

  it('has nothing to split when the source sent nothing', () => {
    expect(probeWalks(synWalk().all, undefined)).toEqual({ requestId: undefined, request: [], replyId: undefined, reply: [] });
  });
});
