/**
 * The socket layer's front door: per-namespace socket tables (UDP, TCP, raw ICMP), local
 * delivery from IPv4, ephemeral ports, and the `ss`/`netstat` listings. Programs and the layers
 * above (the embedded DNS server, docker-proxy, scenario checks) open sockets through
 * `socketsOf(ns)` exactly as a process would.
 *
 * Models: `net/ipv4/{udp,tcp*,raw,inet_*}.c`; see each file's header.
 * Leaves out: IPv6 sockets (only as listing placeholders), unix sockets, socket buffers.
 */
import { fail } from '../../engine/index.js';
import { IPV4_SOCKETS_EXT_KEY } from '../ipv4/index.js';
import type { Host } from '../host.js';
import type { NetNamespace } from '../netns.js';
import { SocketTable } from './socket-table.js';

export * from './errno.js';
export * from './ports.js';
export * from './tcp-state.js';
export * from './udp.js';
export * from './tcp.js';
export * from './icmp-socket.js';
export * from './socket-table.js';
export * from './listing.js';
export { mssForMtu, routeFlow, type FlowRoute } from './ip-seam.js';

/** Creates the socket table of `ns` (idempotent) in the `sockets` ext slot IPv4 delivers to. */
export function installSockets(ns: NetNamespace): SocketTable {
  const existing = ns.ext.get(IPV4_SOCKETS_EXT_KEY);
  if (existing instanceof SocketTable) return existing;
  const table = new SocketTable(ns);
  ns.ext.set(IPV4_SOCKETS_EXT_KEY, table);
  return table;
}

/** The socket table of `ns`; a namespace without one is a broken invariant. */
export function socketsOf(ns: NetNamespace): SocketTable {
  const table = ns.ext.get(IPV4_SOCKETS_EXT_KEY);
  if (!(table instanceof SocketTable)) fail(`sockets are not installed in namespace ${ns.host.name}/${ns.name}`);
  return table;
}

const INSTALLED = 'sockets';

/** Every namespace of `host` gets a socket table; a deleted namespace's sockets are closed. */
export function installSocketLayer(host: Host): void {
  if (host.ext.has(INSTALLED)) return;
  host.ext.set(INSTALLED, true);
  host.onNamespace(ns => {
    installSockets(ns);
  });
  host.onNamespaceExit(ns => {
    const table = ns.ext.get(IPV4_SOCKETS_EXT_KEY);
    if (table instanceof SocketTable) table.closeAll();
  });
}
