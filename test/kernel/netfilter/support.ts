/**
 * Shared helpers for the netfilter tests: run iptables commands on a ruleset, build packets and
 * a context with fixed address types.
 */
import { parseIpv4 } from '../../../src/packet/index.js';
import {
  Ruleset,
  runIptables,
  type NfContext,
  type NfHookName,
  type NfPacket,
  type RouteType,
  type XtOutput,
} from '../../../src/kernel/netfilter/index.js';

export function ip(text: string): number {
  const v = parseIpv4(text);
  if (v === undefined) throw new Error(`bad ip ${text}`);
  return v;
}

/** `iptables` with a shell-like command line (double quotes group words). */
export function ipt(rs: Ruleset, line: string): XtOutput {
  const words = line.match(/"[^"]*"|\S+/g) ?? [];
  return runIptables(
    rs,
    words.map((w) => (w.startsWith('"') ? w.slice(1, -1) : w)),
  );
}

/** Runs each line and fails the test on the first non-zero exit. */
export function setup(lines: readonly string[], rs = new Ruleset()): Ruleset {
  for (const l of lines) {
    const r = ipt(rs, l);
    if (r.exitCode !== 0) throw new Error(`iptables ${l}: ${r.stderr}`);
  }
  return rs;
}

export function packet(p: Partial<Omit<NfPacket, 'ip'>> & { ip?: Partial<NfPacket['ip']> } = {}): NfPacket {
  return {
    l4: { sport: 40000, dport: 80, tcpFlags: 0x02 },
    bridged: false,
    mark: 0,
    ct: { state: 'NEW', dir: 'ORIGINAL' },
    ...p,
    ip: { src: ip('10.0.0.1'), dst: ip('10.0.0.2'), protocol: 6, length: 60, fragmentOffset: 0, ...p.ip },
  };
}

export function context(hook: NfHookName, opts: { local?: readonly string[]; sets?: Record<string, readonly string[]>; random?: () => number } = {}): NfContext {
  const local = new Set((opts.local ?? []).map(ip));
  return {
    hook,
    addressType: (a: number): RouteType => (local.has(a) ? 'LOCAL' : (a >>> 28) === 0xe ? 'MULTICAST' : 'UNICAST'),
    isLocalAddress: (a: number) => local.has(a),
    ipset: (name: string) => {
      const members = opts.sets?.[name];
      if (members === undefined) return undefined;
      const s = new Set(members.map(ip));
      return (a: number) => s.has(a);
    },
    random: opts.random ?? (() => 0.5),
  };
}
