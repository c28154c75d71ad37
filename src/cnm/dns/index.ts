/**
 * The embedded DNS module's front door: Docker's 127.0.0.11 resolver, running as a server bound
 * inside each container's namespace behind iptables DNAT, answering from the sandbox's service
 * records and forwarding the rest to the external servers over simulated UDP/TCP.
 *
 * Models: libnetwork `resolver.go`, `resolver_unix.go`, `sandbox_dns_unix.go` (Docker 20.10);
 * see each file's header.
 * Leaves out: swarm service records (VIPs, `tasks.`, SRV from service ports), IPv6 answers.
 */
export { embeddedResolverFactory, embeddedDnsOf, resolverSandbox, DNS_SHUFFLE_STREAM, type EmbeddedDnsFactory, type EmbeddedDnsOptions } from './resolver-factory.js';
export { EmbeddedDnsServer, type EmbeddedDnsSettings, type ResolverSandbox } from './embedded-resolver.js';
export {
  DEFAULT_RESP_SIZE,
  RESP_TTL,
  TCP_MAX_SIZE,
  answerTexts,
  ednsSize,
  fitReply,
  handleQuery,
  maxReplySize,
  replyTo,
  reversedIpv4,
  type DnsBackend,
  type Log,
  type QueryDecision,
  type ServiceTarget,
} from './query-handler.js';
export { EXT_IO_TIMEOUT, MAX_EXT_DNS, exchangeTcp, exchangeUdp, forwardQuery, type DnsProto, type Exchange, type ExchangeHooks, type ExchangeOutcome, type ForwardContext } from './forwarder.js';
export { OUTPUT_CHAIN, POSTROUTING_CHAIN, resolverRules, setupResolverRules, type ResolverRulesResult, type RuleCommand } from './resolver-rules.js';
export { FrameReader, frameDns, type FramedMessage } from './dns-tcp.js';
