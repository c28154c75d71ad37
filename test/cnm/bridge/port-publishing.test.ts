// Published ports end to end on the simulated host, as in capture 04: docker-proxy processes and
// listeners, TCP through the proxy and through DNAT, UDP relayed, what is refused, and how a
// failed or revoked publication leaves nothing behind.
import { describe, expect, it } from 'vitest';
import { conntrackIfAny, formatCtEntry, formatSs, socketsOf, type NetNamespace } from '../../../src/kernel/index.js';
import { formatIpv4, mustParseIpv4 } from '../../../src/packet/index.js';
import { proxyArgv } from '../../../src/cnm/portmapper/index.js';
import {
  capturedLines,
  captureHost,
  createNetwork,
  endpointOptions,
  iptablesSave,
  newId,
  publish,
  removeContainer,
  runContainer,
  startDaemon,
  type CaptureHost,
} from './capture-host.js';

/** A TCP server in `ns` on `port` answering every request with `hello <peer address>`. */
function httpd(ns: NetNamespace, port: number): void {
  const s = socketsOf(ns).tcp();
  s.bind(0, port);
  s.listen();
  s.onAccept = child => {
    child.onData = () => {
      child.send(`hello ${formatIpv4(child.remoteAddr)}`);
      child.close();
    };
    child.onEnd = () => child.close();
  };
}

/** `wget` in `ns`: the body, or the errno the connection ended with. */
function fetch(h: CaptureHost, ns: NetNamespace, dst: string, port: number): string {
  const c = socketsOf(ns).tcp();
  let out = '';
  let error: string | undefined;
  c.onConnect = () => c.send('GET / HTTP/1.0\r\n\r\n');
  c.onData = b => {
    out += new TextDecoder().decode(b);
  };
  c.onEnd = () => c.close();
  c.onError = e => {
    error = e;
  };
  const r = c.connect(mustParseIpv4(dst), port);
  if (!r.ok) return r.errno;
  h.world.engine.runFor(10_000_000_000);
  return error ?? out;
}

function publishedHost() {
  const h = captureHost();
  const { driver, bridgeId } = startDaemon(h);
  const h1 = runContainer(h, driver, bridgeId, '172.17.0.2/16', endpointOptions([publish('8080:80')]));
  const h2 = runContainer(h, driver, bridgeId, '172.17.0.3/16', endpointOptions([publish('127.0.0.1:8081:80')]));
  const u1 = runContainer(h, driver, bridgeId, '172.17.0.4/16', endpointOptions([publish('5353:5353/udp')]));
  const cl = runContainer(h, driver, bridgeId, '172.17.0.5/16');
  const pubnet = createNetwork(h, driver, '172.24.0.0/16', '172.24.0.1/16');
  const h3 = runContainer(h, driver, pubnet, '172.24.0.2/16', endpointOptions([publish('8082:80')]));
  const cl2 = runContainer(h, driver, pubnet, '172.24.0.3/16');
  for (const c of [h1, h2, h3]) httpd(c.ns, 80);
  return { h, driver, bridgeId, pubnet, h1, h2, u1, cl, h3, cl2 };
}

describe('published ports', () => {
  it('runs one docker-proxy per mapping and address family, argv as captured', () => {
    const { driver } = publishedHost();
    const argv = driver.proxies().map(p => p.process!.argv.join(' '));
    const captured = capturedLines('04-port-publishing/docker-proxy-processes.txt').map(l => l.replace(/^\d+ \d+ /, ''));
    expect(argv).toEqual(captured.filter(l => !l.includes('32769')));
    expect(proxyArgv({ proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerIp: 0xac110002, containerPort: 80 }).join(' ')).toBe(captured[0]);
  });

  it('listens on the host addresses, owned by docker-proxy on fd 4', () => {
    const { h } = publishedHost();
    const ss = formatSs(socketsOf(h.ns), { listening: true, tcp: true, udp: true, numeric: true, processes: true });
    expect(ss).toMatch(/0\.0\.0\.0:8080 .*users:\(\("docker-proxy",pid=\d+,fd=4\)\)/);
    expect(ss).toMatch(/127\.0\.0\.1:8081 .*users:\(\("docker-proxy",pid=\d+,fd=4\)\)/);
    expect(ss).toMatch(/0\.0\.0\.0:5353 .*users:\(\("docker-proxy",pid=\d+,fd=4\)\)/);
    // The capture's docker-proxy sockets, line for line (pids differ; column widths and the order of ss depend on the other sockets).
    const norm = (l: string) => l.replace(/pid=\d+/, 'pid=N').replace(/ +/g, ' ').trimEnd();
    const ours = ss.split('\n').filter(l => l.includes('docker-proxy')).map(norm).sort();
    const captured = capturedLines('04-port-publishing/host-ss-listen.txt').filter(l => l.includes('docker-proxy') && !l.includes('32769')).map(norm).sort();
    expect(ours).toEqual(captured);
  });

  it('carries TCP through the proxy for 127.0.0.1 and for traffic from a bridge', () => {
    const { h, cl, cl2 } = publishedHost();
    expect(fetch(h, h.ns, '127.0.0.1', 8080)).toBe('hello 172.17.0.1');
    expect(fetch(h, h.ns, '127.0.0.1', 8081)).toBe('hello 172.17.0.1');
    expect(fetch(h, h.ns, '127.0.0.1', 8082)).toBe('hello 172.24.0.1');
    // From a container the DOCKER chain RETURNs (-i docker0): the proxy answers on the gateway.
    expect(fetch(h, cl.ns, '172.17.0.1', 8080)).toBe('hello 172.17.0.1');
    expect(fetch(h, cl2.ns, '172.17.0.1', 8080)).toBe('hello 172.17.0.1');
    expect(fetch(h, cl.ns, '172.17.0.1', 8082)).toBe('hello 172.24.0.1');
  });

  it('DNATs host traffic to its own addresses (nat OUTPUT) and refuses what is bound elsewhere', () => {
    const { h, cl } = publishedHost();
    expect(fetch(h, h.ns, '192.0.2.2', 8080)).toBe('hello 192.0.2.2');
    expect(fetch(h, h.ns, '172.17.0.1', 8080)).toBe('hello 172.17.0.1');
    const entries = conntrackIfAny(h.ns)!.entries().map(e => formatCtEntry(e, h.world.engine.now));
    expect(entries.some(l => /src=192\.0\.2\.2 dst=192\.0\.2\.2 sport=\d+ dport=8080 src=172\.17\.0\.2 dst=192\.0\.2\.2 sport=80/.test(l))).toBe(true);
    expect(fetch(h, h.ns, '172.17.0.1', 8081)).toBe('ECONNREFUSED');
    expect(fetch(h, cl.ns, '172.17.0.1', 8081)).toBe('ECONNREFUSED');
  });

  it('relays UDP datagrams and their replies', () => {
    const { h, u1 } = publishedHost();
    const echo = socketsOf(u1.ns).udp();
    echo.bind(0, 5353);
    echo.onMessage = d => echo.send(`echo:${d.payload.kind === 'payload' ? new TextDecoder().decode(d.payload.bytes) : '?'}`, { addr: d.src, port: d.srcPort });
    const results: string[] = [];
    for (const dst of ['127.0.0.1', '172.17.0.1', '192.0.2.2', '172.17.0.4']) {
      const s = socketsOf(h.ns).udp();
      s.onMessage = d => results.push(`${dst} <- ${formatIpv4(d.src)}:${d.srcPort}`);
      s.send('ping-from-host', { addr: mustParseIpv4(dst), port: 5353 });
      h.world.engine.runFor(1_000_000_000);
      s.close();
    }
    expect(results).toEqual(['127.0.0.1 <- 127.0.0.1:5353', '172.17.0.1 <- 172.17.0.1:5353', '192.0.2.2 <- 192.0.2.2:5353', '172.17.0.4 <- 172.17.0.4:5353']);
  });

  it('a port already allocated fails the publication and leaves no rule, proxy or port behind', () => {
    const h = captureHost();
    const { driver, bridgeId } = startDaemon(h);
    runContainer(h, driver, bridgeId, '172.17.0.2/16', endpointOptions([publish('8080:80')]));
    const before = iptablesSave(h.ns);
    const holdings = driver.portAllocator.holdings();
    const proxies = driver.proxies().length;
    const eid = newId(h);
    const opts = endpointOptions([publish('9000:81'), publish('8080:80')]);
    const iface = { address: { address: mustParseIpv4('172.17.0.3'), prefix: 16 }, mac: undefined };
    expect(driver.createEndpoint(bridgeId, eid, iface, opts).ok).toBe(true);
    const r = driver.programExternalConnectivity(bridgeId, eid, opts);
    expect(r).toEqual({ ok: false, error: { kind: 'system', message: 'Bind for 0.0.0.0:8080 failed: port is already allocated' } });
    expect(iptablesSave(h.ns)).toBe(before);
    expect(driver.portAllocator.holdings()).toEqual(holdings);
    expect(driver.proxies().length).toBe(proxies);
    expect(formatSs(socketsOf(h.ns), { listening: true, tcp: true, numeric: true })).not.toContain(':9000');
    const steps = driver.log.lines(`publish ports ${eid.slice(0, 12)}`);
    expect(steps).toContain('allocate host port: failed');
    expect(steps).toContain('allocate ports: failed');
    // The endpoint itself is still there and can be removed cleanly.
    expect(driver.deleteEndpoint(bridgeId, eid).ok).toBe(true);
  });

  it('a port some other program holds fails at the proxy and is rolled back', () => {
    const h = captureHost();
    const { driver, bridgeId } = startDaemon(h);
    const squatter = socketsOf(h.ns).tcp();
    squatter.bind(0, 8080);
    squatter.listen();
    const before = iptablesSave(h.ns);
    const eid = newId(h);
    const opts = endpointOptions([publish('8080:80')]);
    expect(driver.createEndpoint(bridgeId, eid, { address: { address: mustParseIpv4('172.17.0.2'), prefix: 16 }, mac: undefined }, opts).ok).toBe(true);
    const r = driver.programExternalConnectivity(bridgeId, eid, opts);
    expect(r.ok ? '' : r.error.message).toBe('Error starting userland proxy: listen tcp 0.0.0.0:8080: bind: address already in use');
    expect(iptablesSave(h.ns)).toBe(before);
    expect(driver.portAllocator.holdings()).toEqual([]);
  });

  it('without the userland proxy, loopback and hairpin traffic go through DNAT instead', () => {
    const h = captureHost();
    const { driver, bridgeId } = startDaemon(h, { enableUserlandProxy: false });
    const web = runContainer(h, driver, bridgeId, '172.17.0.2/16', endpointOptions([publish('8080:80')]));
    const cl = runContainer(h, driver, bridgeId, '172.17.0.3/16');
    httpd(web.ns, 80);
    // route_localnet lets 127.0.0.1 leave by docker0; the hairpin MASQUERADE gives it the gateway source.
    expect(fetch(h, h.ns, '127.0.0.1', 8080)).toBe('hello 172.17.0.1');
    expect(fetch(h, cl.ns, '192.0.2.2', 8080)).toBe('hello 172.17.0.3');
    // A container reaching itself: hairpin on its bridge port, MASQUERADE of its own flow.
    expect(fetch(h, web.ns, '192.0.2.2', 8080)).toBe('hello 172.17.0.1');
    expect(driver.proxies().every(p => p.process === undefined)).toBe(true);
  });

  it('stops docker-proxy cleanly and forgets idle UDP flows after 90 s', () => {
    const { h, driver, bridgeId, u1, h1 } = publishedHost();
    const echo = socketsOf(u1.ns).udp();
    echo.bind(0, 5353);
    echo.onMessage = d => echo.send('pong', { addr: d.src, port: d.srcPort });
    const s = socketsOf(h.ns).udp();
    s.send('ping', { addr: mustParseIpv4('127.0.0.1'), port: 5353 });
    h.world.engine.runFor(1_000_000_000);
    const udpProxy = driver.proxies().find(p => p.spec.proto === 'udp' && p.spec.hostIp === '0.0.0.0')!.process!;
    const flows = () => socketsOf(h.ns).sockets().filter(x => x.kind === 'udp' && x.owner?.pid === udpProxy.pid && x.remotePort === 5353).length;
    expect(flows()).toBe(1);
    h.world.engine.runFor(91_000_000_000);
    expect(flows()).toBe(0);
    const tcpProxy = driver.proxies().find(p => p.spec.hostPort === 8080 && p.spec.hostIp === '0.0.0.0')!.process!;
    removeContainer(h, driver, bridgeId, h1);
    expect(tcpProxy.exitCode).toBe(0);
  });

  it('revoking removes rules, proxies, ports and the conntrack entries of the endpoint', () => {
    const { h, driver, bridgeId, h1 } = publishedHost();
    fetch(h, h.ns, '192.0.2.2', 8080);
    const table = conntrackIfAny(h.ns)!;
    expect(table.entries().some(e => e.reply.src === 0xac110002)).toBe(true);
    removeContainer(h, driver, bridgeId, h1);
    const rules = iptablesSave(h.ns);
    expect(rules).not.toContain('172.17.0.2');
    expect(driver.portAllocator.allocated('0.0.0.0', 'tcp')).toEqual([8082]);
    expect(driver.proxies().map(p => p.spec.hostPort)).not.toContain(8080);
    expect(table.entries().some(e => e.reply.src === 0xac110002 || e.orig.dst === 0xac110002)).toBe(false);
    expect(fetch(h, h.ns, '127.0.0.1', 8080)).toBe('ECONNREFUSED');
  });
});
