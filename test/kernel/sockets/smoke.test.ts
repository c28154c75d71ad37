import { describe, expect, it } from 'vitest';
import { vethPair, settle } from './net.js';
import { strerror } from '../../../src/kernel/sockets/index.js';
import { payloadText, summarizeFrame } from '../../../src/packet/index.js';

describe('smoke', () => {
  it('udp + tcp', () => {
    const p = vethPair();
    const lines: string[] = [];
    for (const ns of [p.a, p.b]) for (const d of ns.devices.values()) d.taps.add((dev, skb, dir) => { if (dir==='tx') lines.push(`${ns.name} ${dev.name} ${summarizeFrame(skb.frame)}`); });
    const srv = p.sb.udp();
    expect(srv.bind(0, 53).ok).toBe(true);
    const got: string[] = [];
    srv.onMessage = d => { got.push(payloadText(d.payload as never)); srv.send('pong', { addr: d.src, port: d.srcPort }); };
    const cli = p.sa.udp();
    cli.onMessage = d => got.push('client ' + payloadText(d.payload as never));
    const r = cli.send('ping', { addr: p.ipB, port: 53 });
    expect(r.ok).toBe(true);
    settle(p.world);
    expect(got).toEqual(['ping', 'client pong']);
    const l = p.sb.tcp();
    l.bind(0, 80); l.listen(9);
    l.onAccept = c => { c.onData = d => { c.send('HTTP/1.0 200 OK\r\n\r\nhi'); c.close(); }; };
    const t = p.sa.tcp();
    let body = '';
    t.onConnect = () => t.send('GET / HTTP/1.0\r\n\r\n');
    t.onData = d => { body += new TextDecoder().decode(d); };
    t.onEnd = () => t.close();
    t.onError = e => { body += strerror(e); };
    t.connect(p.ipB, 80);
    settle(p.world);
    console.log(lines.join('\n'));
    console.log(body, p.world.engine.now);
    const u = p.sa.udp(); u.connect(p.ipB, 9999); let err=''; u.onError = e => err = e; u.send('x'); settle(p.world);
    console.log('err', err);
    const t2 = p.sa.tcp(); let e2=''; t2.onError = e => e2 = e; t2.connect(p.ipB, 81); settle(p.world); console.log('e2', e2);
  });
});
