/**
 * The embedded DNS as the controller asks for it: one `EmbeddedDnsServer` per sandbox, built
 * when the sandbox's first endpoint that does not disable resolution joins.
 *
 * Models: libnetwork `sandbox_dns_unix.go` `startResolver` calling
 * `NewResolver(resolverIPSandbox, true, sb.Key(), sb)`, with the sandbox as the `DNSBackend`
 * (`ResolveName`, `ResolveIP`, `NdotsSet`, `ExecFunc` = its namespace) and dockerd as the
 * process holding the sockets. Each daemon has its own factory, so its fd counter and pid stay
 * with it:
 *
 *   const controller = new Controller(host, { resolverFactory: embeddedResolverFactory({ daemonPid }) })
 *
 * The file descriptors follow the pattern of the reference host (02-user-bridge
 * `ctr-*-ns-ss-listen.txt`: the first resolver's UDP socket is fd 31, its TCP listener fd 33, and
 * each later resolver's eight higher); only their stability matters.
 * Shuffling of multi-address answers draws from the world's `dns-shuffle` stream.
 * Leaves out: the live-restore path (`startResolver(restore=true)`).
 */
import type { EmbeddedResolverFactory, Sandbox } from '../core/index.js';
import { EmbeddedDnsServer, type ResolverSandbox } from './embedded-resolver.js';

/** The stream multi-address answers are shuffled from (design.md section 3). */
export const DNS_SHUFFLE_STREAM = 'dns-shuffle';
const FIRST_FD = 31;
const FD_STEP = 8;

export interface EmbeddedDnsOptions {
  /** dockerd's pid: the resolver's sockets show as `users:(("dockerd",pid=N,fd=M))`. */
  readonly daemonPid?: number;
  /** `proxyDNS` (default true, as for every container sandbox). */
  readonly proxyDns?: boolean;
  /** Receives dockerd's debug lines (`[resolver] lookup for a1.: IP [...]`). */
  readonly onLog?: (line: string) => void;
}

/** The sandbox as the resolver's backend. */
export function resolverSandbox(sb: Sandbox): ResolverSandbox {
  return {
    get ns() {
      return sb.ns;
    },
    hostNs: sb.osl.host.rootNs,
    containerId: sb.containerId,
    resolveName: (name, ipType) => sb.resolveName(name, ipType),
    resolveIp: ip => sb.resolveIp(ip),
    get ndotsSet() {
      return sb.ndotsSet;
    },
  };
}

export interface EmbeddedDnsFactory extends EmbeddedResolverFactory {
  newResolver(sb: Sandbox): EmbeddedDnsServer;
}

/** The factory a daemon's controller uses (`ControllerOptions.resolverFactory`). */
export function embeddedResolverFactory(options: EmbeddedDnsOptions = {}): EmbeddedDnsFactory {
  let nextFd = FIRST_FD;
  return {
    newResolver: (sb: Sandbox) => {
      const fd = nextFd;
      nextFd += FD_STEP;
      const owner = options.daemonPid === undefined ? undefined : { comm: 'dockerd', pid: options.daemonPid, fd };
      return new EmbeddedDnsServer(resolverSandbox(sb), {
        proxyDns: options.proxyDns ?? true,
        owner,
        shuffle: sb.ns.host.world.rng.stream(DNS_SHUFFLE_STREAM),
        ...(options.onLog === undefined ? {} : { onLog: options.onLog }),
      });
    },
  };
}

/** The embedded DNS server of a sandbox, when this module built it. */
export function embeddedDnsOf(sb: Sandbox): EmbeddedDnsServer | undefined {
  const r = sb.resolver;
  return r instanceof EmbeddedDnsServer ? r : undefined;
}
