/**
 * Why a packet was dropped, in words, and what would let it through, in Docker's terms: the
 * teaching trace's last lines for a dropped packet.
 *
 * Models: moby 20.10's iptables layout (libnetwork `drivers/bridge/setup_ip_tables.go`,
 * `iptables/firewalld`): `FORWARD -j DOCKER-USER` (the user's own rules), `DOCKER-ISOLATION-
 * STAGE-1 -i br-A ! -o br-A -j DOCKER-ISOLATION-STAGE-2` and `STAGE-2 -o br-B -j DROP`
 * (bridge networks isolated from each other), internal networks' `! -s SUBNET -o br -j DROP` and
 * `! -d SUBNET -i br -j DROP`, `-i br -o br -j DROP` when `enable_icc=false`, published ports as
 * DNAT rules in `nat/DOCKER`, and the FORWARD policy DROP dockerd sets when it turns on
 * `ip_forward`. Plain words for the kernel's own drop reasons (engine/trace.ts DROP_REASONS).
 * Leaves out: swarm's ingress and overlay advice (the reason and rule are still shown).
 */
import type { TraceRecord } from '../engine/index.js';
import { ip, num, parseFlow, text } from './trace-detail.js';
import { namespaceName, networkOfBridge, networksOf, type TraceNames } from './trace-names.js';

export interface DropExplanation {
  /** What decided the drop: `filter/DOCKER-USER rule 1: -A DOCKER-USER ...` or the reason. */
  readonly decided: string;
  readonly why: string;
  readonly fix: string | undefined;
}

/** What the walk tells about who talks to whom. */
interface Parties {
  readonly source: string;
  readonly sourceIsContainer: boolean;
  readonly target: string;
  readonly targetIsContainer: boolean;
  readonly targetAddress: string;
  readonly port: string | undefined;
  readonly proto: string | undefined;
}

/** What the caller knows of the probe that the records may not say (the port of a closed socket). */
export interface ProbeHint {
  readonly port?: number;
  readonly proto?: string;
}

/** Explains `drop` (a `drop` record of `walk`). */
export function explainDrop(drop: TraceRecord, walk: readonly TraceRecord[], names: TraceNames, hint: ProbeHint = {}): DropExplanation {
  const reason = text(drop, 'reason') ?? 'unknown';
  const parties = partiesOf(walk, names, hint);
  const here = namespaceName(names, drop.location.host, drop.location.netns);
  if (reason === 'netfilter') return netfilterDrop(drop, parties, names);
  const plain = (why: string, fix?: string): DropExplanation => ({ decided: decidedBy(drop, reason), why, fix });
  const extra = text(drop, 'why');
  switch (reason) {
    case 'rst-sent':
    case 'no-socket':
    case 'port-unreachable':
      return closedPort(drop, parties, names, here.kind === 'root');
    case 'no-route':
      return plain(`${here.label} has no route to ${ip(drop, 'dst') ?? (parties.targetAddress === '' ? 'the destination' : parties.targetAddress)}`, 'add a route (ip route add ...), or attach the container to a network that reaches the destination');
    case 'neigh-failed':
      return plain(
        `nobody answered ARP for ${ip(drop, 'neighbour') ?? (parties.targetAddress === '' ? 'the next hop' : parties.targetAddress)} on ${text(drop, 'dev') ?? drop.location.device ?? 'the link'}: no machine with that address is on that link`,
        'check the address, and that the other end is up and on the same network',
      );
    case 'forwarding-disabled':
      return plain(`IP forwarding is off in ${here.label} (net.ipv4.ip_forward=0)`, 'sysctl -w net.ipv4.ip_forward=1 (dockerd turns it on when it starts)');
    case 'ttl-exceeded':
      return plain('its TTL ran out before it arrived: the route loops or is too long');
    case 'ipvs-no-backend':
      return plain(`the IPVS service has no real server to send it to${extra === undefined ? '' : ` (${extra})`}`, 'check that the service has running tasks (docker service ps)');
    case 'rp-filter':
      return plain(`the reverse path filter of ${here.label} dropped it: a reply to its source would not leave through the device it came in on`);
    case 'link-down':
    case 'no-carrier':
      return plain(`the device ${text(drop, 'device') ?? drop.location.device ?? ''} is down or has no carrier`.replace('  ', ' '), 'ip link set DEVICE up');
    case 'hairpin-off':
      return plain('the destination sits behind the port it came in on, and hairpin mode is off on that bridge port');
    default:
      return plain(`${reason}${extra === undefined ? '' : `: ${extra}`}`);
  }
}

function decidedBy(drop: TraceRecord, reason: string): string {
  const by = text(drop, 'by');
  const rule = num(drop, 'rule');
  const ruleText = text(drop, 'text');
  if (by === undefined) return reason;
  const which = rule === undefined || rule === 0 ? by : `${by} rule ${rule}`;
  return ruleText === undefined || ruleText === '' ? which : `${which}: ${ruleText}`;
}

function netfilterDrop(drop: TraceRecord, p: Parties, names: TraceNames): DropExplanation {
  const by = text(drop, 'by') ?? '';
  const ruleText = text(drop, 'text') ?? '';
  const rule = num(drop, 'rule');
  const decided = decidedBy(drop, 'netfilter');
  const host = drop.location.host;
  const chain = by.split('/')[1] ?? by;
  const result = (why: string, fix?: string): DropExplanation => ({ decided, why, fix });

  if (chain === 'DOCKER-USER') {
    return result(
      `the DOCKER-USER rule ${rule ?? '?'} dropped it (${ruleText}); Docker never writes rules there, so someone added it`,
      `DOCKER-USER holds your own rules: change or delete that one (iptables -D DOCKER-USER ${rule ?? 'N'})`,
    );
  }
  const icc = /-i (\S+) -o (\S+) -j DROP/.exec(ruleText);
  if (icc !== null && icc[1] === icc[2]) {
    const net = networkOfBridge(names, host, icc[1]!)?.name ?? icc[1]!;
    return result(
      `icc is disabled on network ${net} (com.docker.network.bridge.enable_icc=false): containers on it cannot talk to each other`,
      `create the network without -o com.docker.network.bridge.enable_icc=false, or reach ${p.target} through a published port`,
    );
  }
  if (chain.startsWith('DOCKER-ISOLATION')) {
    const bridge = /-[io] (\S+)/.exec(ruleText)?.[1];
    const net = bridge === undefined ? undefined : networkOfBridge(names, host, bridge);
    if (/! -[sd] /.test(ruleText) || net?.internal === true) {
      const name = net?.name ?? bridge ?? 'the network';
      return result(
        `network ${name} is --internal: containers on it reach each other, but nothing outside it, and nothing outside reaches in`,
        `connect the container to a second, non-internal network as well: docker network connect NETWORK ${p.sourceIsContainer ? p.source : 'CONTAINER'}`,
      );
    }
    return differentNetworks(p, names, result);
  }
  if (chain === 'FORWARD' && /^-P FORWARD DROP/.test(ruleText)) {
    if (p.sourceIsContainer && p.targetIsContainer) return differentNetworks(p, names, result);
    if (p.targetIsContainer) {
      return result(
        `no rule in the FORWARD chain accepted it: from outside, containers are reached only through published ports`,
        `publish the port: docker run -p HOSTPORT:${p.port ?? 'PORT'} ... ${p.target}, then connect to the host's address`,
      );
    }
    return result('the FORWARD policy is DROP and no rule accepted it');
  }
  const verdict = /-j (DROP|REJECT)/.exec(ruleText)?.[1];
  return result(`${by}${rule === undefined ? '' : ` rule ${rule}`} ${verdict === 'REJECT' ? 'rejected' : 'dropped'} it${text(drop, 'why') === undefined ? '' : ` (${text(drop, 'why')})`}`);
}

function differentNetworks(p: Parties, names: TraceNames, result: (why: string, fix?: string) => DropExplanation): DropExplanation {
  const from = networksOf(names, p.source).map((n) => n.name);
  const to = networksOf(names, p.target).map((n) => n.name);
  const where = from.length > 0 && to.length > 0 ? ` (${from.join(', ')} and ${to.join(', ')})` : '';
  return result(
    `${p.source} and ${p.target} are on different networks${where}; Docker isolates bridge networks from each other`,
    `connect one to the other's network: docker network connect ${to[0] ?? 'NETWORK'} ${p.source}`,
  );
}

function closedPort(drop: TraceRecord, p: Parties, names: TraceNames, atRoot: boolean): DropExplanation {
  const here = namespaceName(names, drop.location.host, drop.location.netns);
  const proto = p.proto ?? 'tcp';
  const port = p.port ?? 'PORT';
  const answer = text(drop, 'reason') === 'rst-sent' ? '; its kernel answered with a TCP reset' : text(drop, 'reason') === 'port-unreachable' ? '; its kernel answered with ICMP port unreachable' : '';
  const decided = text(drop, 'reason') ?? 'no-socket';
  if (atRoot && !p.targetIsContainer) {
    return {
      decided,
      why: `nothing listens on ${here.label}:${port}/${proto}, and no DNAT rule in nat/DOCKER matched it: the port is not published${answer}`,
      fix: `publish the port: docker run -p ${port}:CONTAINERPORT ...`,
    };
  }
  return { decided, why: `nothing listens on ${proto} port ${port} in ${here.label}${answer}`, fix: 'start the server there, or check the port (docker ps shows what is published)' };
}

/** The source and target of a walk, as names, with the target port and protocol when known. */
function partiesOf(walk: readonly TraceRecord[], names: TraceNames, hint: ProbeHint): Parties {
  const first = walk[0];
  const src = first === undefined ? undefined : namespaceName(names, first.location.host, first.location.netns);
  const route = walk.find((r) => r.kind === 'route');
  const rewrites = walk.filter((r) => r.kind === 'rewrite');
  const lastAfter = rewrites.length === 0 ? undefined : parseFlow(text(rewrites[rewrites.length - 1]!, 'after') ?? '');
  const ct = walk.find((r) => r.kind === 'conntrack' && text(r, 'orig') !== undefined);
  const orig = ct === undefined ? undefined : parseFlow(text(ct, 'orig') ?? '');
  const targetAddress = lastAfter?.dst.address ?? (route === undefined ? '' : (ip(route, 'dst') ?? ''));
  const targetName = names.addresses.get(targetAddress);
  const containers = new Set([...names.namespaces.values()].filter((n) => n.kind === 'container').map((n) => n.label));
  return {
    source: src?.label ?? 'the source',
    sourceIsContainer: src?.kind === 'container',
    target: targetName ?? (targetAddress === '' ? 'the destination' : targetAddress),
    targetIsContainer: targetName !== undefined && containers.has(targetName),
    targetAddress,
    port: lastAfter?.dst.port ?? orig?.dst.port ?? (hint.port === undefined ? undefined : String(hint.port)),
    proto: lastAfter?.proto ?? orig?.proto ?? hint.proto,
  };
}

/** Whether a walk ended in a drop, and where: for the renderer's verdict line. */
export function dropOf(walk: readonly TraceRecord[]): TraceRecord | undefined {
  return walk.find((r) => r.kind === 'drop');
}

