/**
 * The seam between a sandbox and its embedded DNS server (127.0.0.11): what the core asks of a
 * resolver, so the DNS module can implement it like libnetwork's `Resolver`.
 *
 * Models: libnetwork `resolver.go` (`Resolver` interface: `Start`, `Stop`, `SetupFunc`,
 * `NameServer`, `SetExtServers`, `ResolverOptions`) and `sandbox_dns_unix.go` `startResolver`,
 * which the sandbox runs once, when the first endpoint that does not disable resolution joins:
 *
 *   resolver = factory.newResolver(sandbox)         NewResolver(resolverIPSandbox, true, key, sb)
 *   rebuild resolv.conf: nameserver <nameServer()>, options + <resolverOptions()>
 *   resolver.setExtServers(sandbox's external servers)
 *   resolver.start()                                SetupFunc (iptables in the netns) + Start
 *
 * The sandbox answers the resolver's questions (`sandbox.resolveName`, `resolveIp`,
 * `externalResolvers`). Until a DNS module registers a factory, `RESOLV_CONF_ONLY` stands in: it
 * writes the same resolv.conf and serves nothing.
 * Leaves out: `ResolveService` (SRV, swarm) and the `HandleQueryResp` callback.
 */
import { ok, type Result } from '../errors.js';
import type { Sandbox } from './sandbox.js';

/** `resolverIPSandbox`. */
export const RESOLVER_IP_SANDBOX = '127.0.0.11';

/** `extDNSEntry`: an upstream server; `hostLoopback` means "query it from the host namespace". */
export interface ExternalDns {
  readonly ip: string;
  readonly hostLoopback: boolean;
}

export interface EmbeddedResolver {
  /** The address written as the container's nameserver (`127.0.0.11`). */
  nameServer(): string;
  /** Options the resolver adds to resolv.conf (`ndots:0`). */
  resolverOptions(): readonly string[];
  /** `SetExtServers`: the upstreams for names it does not know (at most 3 are used). */
  setExtServers(servers: readonly ExternalDns[]): void;
  /** `SetupFunc` + `Start`: NAT rules in the sandbox namespace, sockets bound. */
  start(): Result<void>;
  /** `Stop`: sockets closed (the sandbox is going away). */
  stop(): void;
}

/** Builds a sandbox's resolver; the DNS module provides one to the controller. */
export interface EmbeddedResolverFactory {
  newResolver(sandbox: Sandbox): EmbeddedResolver;
}

/** The resolver libnetwork would write into resolv.conf, without a server behind it. */
export const RESOLV_CONF_ONLY: EmbeddedResolverFactory = {
  newResolver: () => ({
    nameServer: () => RESOLVER_IP_SANDBOX,
    resolverOptions: () => ['ndots:0'],
    setExtServers: () => undefined,
    start: () => ok(undefined),
    stop: () => undefined,
  }),
};
