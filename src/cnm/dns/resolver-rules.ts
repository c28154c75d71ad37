/**
 * The NAT rules that put Docker's embedded DNS server behind 127.0.0.11:53 inside a container's
 * network namespace, programmed through the simulated `iptables` command exactly as dockerd's
 * `setup-resolver` re-exec runs it there.
 *
 * Models: libnetwork `resolver_unix.go` (Docker 20.10) `setupIPTable`: the server's sockets are
 * bound to 127.0.0.11 on kernel-chosen ports first, then, in the container's namespace:
 *
 *   iptables --wait -t nat -C OUTPUT -d 127.0.0.11 -j DOCKER_OUTPUT
 *     present: -F DOCKER_OUTPUT          absent: -N DOCKER_OUTPUT; -I OUTPUT -d 127.0.0.11 -j DOCKER_OUTPUT
 *   (the same for POSTROUTING / DOCKER_POSTROUTING)
 *   -I DOCKER_OUTPUT      -d 127.0.0.11 -p udp --dport 53        -j DNAT --to-destination 127.0.0.11:<udp>
 *   -I DOCKER_POSTROUTING -s 127.0.0.11 -p udp --sport <udp>     -j SNAT --to-source :53
 *   -I DOCKER_OUTPUT      -d 127.0.0.11 -p tcp --dport 53        -j DNAT --to-destination 127.0.0.11:<tcp>
 *   -I DOCKER_POSTROUTING -s 127.0.0.11 -p tcp --sport <tcp>     -j SNAT --to-source :53
 *
 * so `iptables-save` lists the tcp rule first in each chain (02-user-bridge captures). A query to
 * 127.0.0.11:53 is DNATed in nat OUTPUT to the real port; the reply is un-NATed back to :53 by
 * conntrack. Chain and rule failures are only logged upstream (`set up rule failed, [...]`), so
 * they are returned here as log lines, never as an error.
 * Leaves out: the nftables variant of later releases, IPv6 (`ip6tables`).
 */
import { iptablesOf, runIptables, type NetNamespace } from '../../kernel/index.js';

export const OUTPUT_CHAIN = 'DOCKER_OUTPUT';
export const POSTROUTING_CHAIN = 'DOCKER_POSTROUTING';
const DNS_PORT = '53';

/** One iptables invocation dockerd made, with its outcome. */
export interface RuleCommand {
  readonly argv: readonly string[];
  readonly exitCode: number;
}

export interface ResolverRulesResult {
  readonly commands: readonly RuleCommand[];
  /** What dockerd would log at error level (`set up rule failed, [-t nat -I ...]`). */
  readonly errors: readonly string[];
}

/** The four rules, in the order libnetwork inserts them. */
export function resolverRules(resolverIp: string, udpPort: number, tcpPort: number): string[][] {
  const laddr = `${resolverIp}:${udpPort}`;
  const ltcpaddr = `${resolverIp}:${tcpPort}`;
  return [
    ['-t', 'nat', '-I', OUTPUT_CHAIN, '-d', resolverIp, '-p', 'udp', '--dport', DNS_PORT, '-j', 'DNAT', '--to-destination', laddr],
    ['-t', 'nat', '-I', POSTROUTING_CHAIN, '-s', resolverIp, '-p', 'udp', '--sport', String(udpPort), '-j', 'SNAT', '--to-source', `:${DNS_PORT}`],
    ['-t', 'nat', '-I', OUTPUT_CHAIN, '-d', resolverIp, '-p', 'tcp', '--dport', DNS_PORT, '-j', 'DNAT', '--to-destination', ltcpaddr],
    ['-t', 'nat', '-I', POSTROUTING_CHAIN, '-s', resolverIp, '-p', 'tcp', '--sport', String(tcpPort), '-j', 'SNAT', '--to-source', `:${DNS_PORT}`],
  ];
}

/** `setupIPTable` run in `ns` (the container's namespace). */
export function setupResolverRules(ns: NetNamespace, resolverIp: string, udpPort: number, tcpPort: number): ResolverRulesResult {
  const commands: RuleCommand[] = [];
  const errors: string[] = [];
  // RawCombinedOutputNative: `iptables --wait ARGS`, any output or exit status is an error.
  const raw = (args: readonly string[]): boolean => {
    const argv = ['--wait', ...args];
    const out = runIptables(iptablesOf(ns), argv);
    commands.push({ argv, exitCode: out.exitCode });
    return out.exitCode === 0 && out.stdout === '' && out.stderr === '';
  };
  const jump = (builtin: string, chain: string): void => {
    if (raw(['-t', 'nat', '-C', builtin, '-d', resolverIp, '-j', chain])) {
      raw(['-t', 'nat', '-F', chain]);
    } else {
      raw(['-t', 'nat', '-N', chain]);
      raw(['-t', 'nat', '-I', builtin, '-d', resolverIp, '-j', chain]);
    }
  };
  jump('OUTPUT', OUTPUT_CHAIN);
  jump('POSTROUTING', POSTROUTING_CHAIN);
  for (const rule of resolverRules(resolverIp, udpPort, tcpPort)) {
    if (!raw(rule)) errors.push(`set up rule failed, [${rule.join(' ')}]`);
  }
  return { commands, errors };
}
