/**
 * The userland proxy: one `docker-proxy` process per published port and address family, listening
 * on the host address and port and relaying to the container's address and port through ordinary
 * sockets of the host namespace. It is what answers `127.0.0.1:8080` (the nat OUTPUT jump skips
 * 127/8) and traffic that enters from a docker bridge (`-A DOCKER -i <br> -j RETURN` keeps it
 * away from the DNAT rules), and what a dummy listener replaces when the proxy is disabled.
 *
 * Models: libnetwork `portmapper/proxy_linux.go` (`newProxyCommand`: argv
 * `/usr/sbin/docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 172.17.0.2
 * -container-port 80`, a child of dockerd; `Start` waits for `0\n` on the pipe passed as fd 3,
 * otherwise fails with `Error starting userland proxy: <error>`), `portmapper/proxy.go`
 * (`newDummyProxy`: without the userland proxy dockerd itself binds the port so nobody else can),
 * and `cmd/docker-proxy` (`tcp_proxy.go`: accept, dial the backend, copy both ways, half-close
 * with `CloseWrite` when one side ends; `udp_proxy.go`: one connected backend socket per client
 * address, replies written back from the listener, a flow forgotten after 90 s without a reply).
 *
 *   client --SYN--> 0.0.0.0:8080 (docker-proxy, fd 4) ... accept
 *   docker-proxy --connect--> 172.17.0.2:80 (source 172.17.0.1, chosen by the route)
 *   bytes client -> backend and backend -> client; EOF on one side -> FIN on the other
 *
 * Leaves out: SCTP (refused at start), IPv6 traffic (the simulated kernel has no IPv6: a proxy for
 * `::` holds its port with a v6-only listener, when the socket layer allows one beside the IPv4
 * listener, and never sees a packet), the 16 s start timeout, log lines.
 */
import type { EventId } from '../../engine/index.js';
import { Process, socketsOf, type Errno, type Host, type TcpSocket, type UdpDatagram, type UdpSocket } from '../../kernel/index.js';
import { formatIpv4, parseIpv4, type Ipv4 } from '../../packet/index.js';
import { ok, system, type Result } from '../errors.js';
import type { PortProto } from './port-allocator.js';

export const DOCKER_PROXY_PATH = '/usr/sbin/docker-proxy';

/** `UDPConnTrackTimeout`: a UDP flow with no reply for this long is forgotten. */
export const UDP_CONNTRACK_TIMEOUT_NS = 90_000_000_000;

/** Go's listen backlog (`somaxconn`, 4096 on current kernels): `ss` shows it as Send-Q. */
const LISTEN_BACKLOG = 4096;

export interface ProxySpec {
  readonly proto: PortProto;
  /** Host address as Go prints it: `0.0.0.0`, `127.0.0.1`, `::`. */
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerIp: Ipv4;
  readonly containerPort: number;
}

/** What the port mapper starts and stops for each mapping. */
export interface UserlandProxy {
  readonly spec: ProxySpec;
  start(): Result<void>;
  stop(): void;
  /** The `docker-proxy` process while it runs (undefined for the dummy proxy). */
  readonly process: Process | undefined;
}

/** Go's lower-case errno text for the bind failures a listener meets (`address already in use`). */
const GO_ERRNO: Partial<Record<Errno, string>> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EACCES: 'permission denied',
  EINVAL: 'invalid argument',
};

function goErrno(errno: Errno): string {
  return GO_ERRNO[errno] ?? errno.toLowerCase();
}

/** Go's `net.OpError` text for a failed listen: `listen tcp 0.0.0.0:8080: bind: <errno>`. */
function listenError(proto: string, hostIp: string, port: number, errno: Errno): string {
  const host = hostIp.includes(':') ? `[${hostIp}]` : hostIp;
  return `listen ${proto} ${host}:${port}: bind: ${goErrno(errno)}`;
}

/** The argv docker-proxy runs with, as `ps` shows it. */
export function proxyArgv(spec: ProxySpec): string[] {
  return [
    DOCKER_PROXY_PATH,
    '-proto',
    spec.proto,
    '-host-ip',
    spec.hostIp,
    '-host-port',
    String(spec.hostPort),
    '-container-ip',
    formatIpv4(spec.containerIp),
    '-container-port',
    String(spec.containerPort),
  ];
}

/** A listener owned by `owner`, on the spec's host address (v6-only for `::`). */
function openListener(host: Host, spec: ProxySpec, owner: { comm: string; pid: number; fd: number } | undefined): Result<TcpSocket | UdpSocket | undefined> {
  const sockets = socketsOf(host.rootNs);
  const v4 = parseIpv4(spec.hostIp);
  const family = v4 === undefined ? 'inet6' : 'inet';
  const options = { family, v6only: family === 'inet6', ...(owner === undefined ? {} : { owner }) } as const;
  if (spec.proto === 'sctp') return system(`listen sctp ${spec.hostIp}:${spec.hostPort}: protocol not supported`);
  const s = spec.proto === 'tcp' ? sockets.tcp(options) : sockets.udp(options);
  const bound = s.bind(v4 ?? 0, spec.hostPort);
  if (!bound.ok) {
    if (s.kind === 'tcp') s.abort();
    else s.close();
    // No IPv6 here: the `::` listener is only a placeholder, so a clash with the IPv4 one is not fatal.
    if (family === 'inet6') return ok(undefined);
    return system(listenError(spec.proto, spec.hostIp, spec.hostPort, bound.errno));
  }
  if (s.kind === 'tcp') {
    const listening = s.listen(LISTEN_BACKLOG);
    if (!listening.ok) {
      s.abort();
      if (family === 'inet6') return ok(undefined);
      return system(listenError(spec.proto, spec.hostIp, spec.hostPort, listening.errno));
    }
  }
  return ok(s);
}

/** `tcp_proxy.go` `clientLoop`: dial the backend, copy both ways, half-close on EOF. */
function relayTcp(proc: Process, client: TcpSocket, spec: ProxySpec, open: Set<TcpSocket>): void {
  const sockets = socketsOf(proc.ns);
  const backend = sockets.tcp({ owner: { comm: proc.comm, pid: proc.pid, fd: proc.allocFd() } });
  open.add(client);
  open.add(backend);
  const forget = (s: TcpSocket) => () => open.delete(s);
  client.onClose = forget(client);
  backend.onClose = forget(backend);
  const dialed = backend.connect(spec.containerIp, spec.containerPort);
  if (!dialed.ok) {
    // "Can't forward traffic to backend": the client connection is closed.
    client.close();
    backend.abort();
    return;
  }
  client.onData = bytes => {
    backend.send(bytes);
  };
  backend.onData = bytes => {
    client.send(bytes);
  };
  client.onEnd = () => backend.close();
  backend.onEnd = () => client.close();
  backend.onError = () => client.close();
  client.onError = () => backend.close();
}

/** `udp_proxy.go`: a connected backend socket per client, replies sent back from the listener. */
function relayUdp(proc: Process, listener: UdpSocket, spec: ProxySpec): Set<UdpSocket> {
  const sockets = socketsOf(proc.ns);
  const flows = new Map<string, { sock: UdpSocket; timer: EventId | undefined }>();
  const open = new Set<UdpSocket>();
  listener.onMessage = (d: UdpDatagram) => {
    const key = `${d.src}:${d.srcPort}`;
    let flow = flows.get(key);
    if (flow === undefined) {
      const sock = sockets.udp({ owner: { comm: proc.comm, pid: proc.pid, fd: proc.allocFd() } });
      if (!sock.connect(spec.containerIp, spec.containerPort).ok) {
        sock.close();
        return;
      }
      const created: { sock: UdpSocket; timer: EventId | undefined } = { sock, timer: undefined };
      const expire = (): void => {
        sock.close();
        open.delete(sock);
        flows.delete(key);
      };
      const arm = (): void => {
        proc.cancelTimer(created.timer);
        created.timer = proc.after(UDP_CONNTRACK_TIMEOUT_NS, expire);
      };
      sock.onMessage = reply => {
        listener.send(reply.payload, { addr: d.src, port: d.srcPort });
        arm();
      };
      // ECONNREFUSED from a dead backend is ignored until the flow times out.
      sock.onError = () => undefined;
      arm();
      flows.set(key, created);
      open.add(sock);
      flow = created;
    }
    flow.sock.send(d.payload);
  };
  return open;
}

/**
 * `newProxy` + `Start`: a docker-proxy process in the host namespace. Its fd 3 is the status pipe
 * (`ExtraFiles`), so the listener is fd 4, as `ss -p` shows on a real host.
 */
export function newProxy(host: Host, spec: ProxySpec): UserlandProxy {
  let proc: Process | undefined;
  return {
    spec,
    get process() {
      return proc;
    },
    start(): Result<void> {
      const p = new Process({ ns: host.rootNs, argv: proxyArgv(spec) });
      p.allocFd(); // fd 3: the pipe docker-proxy writes its status to
      const listener = openListener(host, spec, { comm: p.comm, pid: p.pid, fd: p.allocFd() });
      if (!listener.ok) {
        p.exit(1);
        return system(`Error starting userland proxy: ${listener.error.message}`);
      }
      const s = listener.value;
      const tcpConns = new Set<TcpSocket>();
      let udpFlows = new Set<UdpSocket>();
      if (s !== undefined && s.kind === 'tcp') s.onAccept = child => relayTcp(p, child, spec, tcpConns);
      if (s !== undefined && s.kind === 'udp') udpFlows = relayUdp(p, s, spec);
      p.onCleanup(() => {
        if (s !== undefined && s.kind === 'tcp') s.close();
        if (s !== undefined && s.kind === 'udp') s.close();
        for (const c of [...tcpConns]) c.close();
        for (const u of [...udpFlows]) u.close();
      });
      // SIGTERM: docker-proxy closes its proxy and exits cleanly.
      p.onSignal(() => p.exit(0));
      proc = p;
      return ok(undefined);
    },
    stop(): void {
      proc?.kill(15);
      proc = undefined;
    },
  };
}

/**
 * `newDummyProxy`: with the userland proxy disabled, dockerd binds the host port itself (and never
 * accepts), so no other program can take it. `owner` is dockerd's socket owner, when known.
 */
export function newDummyProxy(host: Host, spec: ProxySpec, owner?: { comm: string; pid: number; fd: number }): UserlandProxy {
  let sock: TcpSocket | UdpSocket | undefined;
  return {
    spec,
    process: undefined,
    start(): Result<void> {
      const listener = openListener(host, spec, owner);
      if (!listener.ok) return listener;
      sock = listener.value;
      return ok(undefined);
    },
    stop(): void {
      if (sock?.kind === 'tcp') sock.close();
      else sock?.close();
      sock = undefined;
    },
  };
}
