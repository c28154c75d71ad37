/**
 * The `DOCKER` chains as objects that program their jumps and per-port rules: the nat chain's
 * PREROUTING/OUTPUT jumps, the filter chain's FORWARD rules for one bridge, published ports
 * (DNAT, ACCEPT, hairpin MASQUERADE) and legacy `--link` ACCEPT pairs.
 *
 * Models: libnetwork `iptables/iptables.go` (Docker 20.10) `ChainInfo`: `ProgramChain` (nat:
 * `-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER` and `-A OUTPUT -m addrtype --dst-type
 * LOCAL -j DOCKER ! --dst 127.0.0.0/8`, the `! --dst` part only with the userland proxy; filter:
 * `-I FORWARD -o <br> -j DOCKER` then `-I FORWARD -o <br> -m conntrack --ctstate
 * RELATED,ESTABLISHED -j ACCEPT`), `Forward` (three `ProgramRule` calls, appended, plus the SCTP
 * checksum rule in mangle) and `Link` (the forward rule, then the reverse with `--sport`).
 *
 *   forward(append, tcp 0.0.0.0:8080 -> 172.17.0.2:80) on docker0:
 *     nat    -A DOCKER -p tcp -d 0/0 --dport 8080 -j DNAT --to-destination 172.17.0.2:80 ! -i docker0
 *     filter -A DOCKER ! -i docker0 -o docker0 -p tcp -d 172.17.0.2 --dport 80 -j ACCEPT
 *     nat    -A POSTROUTING -p tcp -s 172.17.0.2 -d 172.17.0.2 --dport 80 -j MASQUERADE
 *
 * Leaves out: firewalld zone bindings, IPv6 (`LoopbackByVersion` is always 127.0.0.0/8).
 */
import { formatIpv4 } from '../../../packet/index.js';
import { ok, system, type Result } from '../../errors.js';
import type { ForwardingChain, ProxySpec } from '../../portmapper/index.js';
import type { IpTables, IptAction, IptTable } from './iptables.js';

export const LOOPBACK_V4 = '127.0.0.0/8';

export class ChainInfo {
  readonly ipt: IpTables;
  readonly name: string;
  readonly table: IptTable;
  /** The userland proxy is off: DNAT also applies to traffic from the bridge itself. */
  readonly hairpinMode: boolean;

  constructor(ipt: IpTables, name: string, table: IptTable, hairpinMode: boolean) {
    this.ipt = ipt;
    this.name = name;
    this.table = table;
    this.hairpinMode = hairpinMode;
  }

  /** `ProgramChain`: add (`enable`) or remove this chain's jumps for `bridgeName`. */
  programChain(bridgeName: string, enable: boolean): Result<void> {
    if (this.table === 'nat') {
      const preroute = ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', this.name];
      const r1 = this.programJump('nat', 'PREROUTING', preroute, enable, 'append');
      if (!r1.ok) return system(`Failed to inject ${this.name} in PREROUTING chain: ${r1.error.message}`);
      const output = ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', this.name];
      if (!this.hairpinMode) output.push('!', '--dst', LOOPBACK_V4);
      const r2 = this.programJump('nat', 'OUTPUT', output, enable, 'append');
      if (!r2.ok) return system(`Failed to inject ${this.name} in OUTPUT chain: ${r2.error.message}`);
      return ok(undefined);
    }
    if (bridgeName === '') return system(`Could not program chain ${this.table}/${this.name}, missing bridge name`);
    const link = ['-o', bridgeName, '-j', this.name];
    const r1 = this.programJump('filter', 'FORWARD', link, enable, 'insert');
    if (!r1.ok) return r1;
    const establish = ['-o', bridgeName, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'];
    return this.programJump('filter', 'FORWARD', establish, enable, 'insert');
  }

  /** One `if !Exists && enable { add } else if Exists && !enable { delete }` block of ProgramChain. */
  private programJump(table: IptTable, chain: string, rule: readonly string[], enable: boolean, add: IptAction): Result<void> {
    const present = this.ipt.exists(table, chain, rule);
    if (!present && enable) {
      const r = this.ipt.raw(['-t', table, add === 'insert' ? '-I' : '-A', chain, ...rule]);
      return r.ok ? ok(undefined) : r;
    }
    if (present && !enable) {
      const r = this.ipt.raw(['-t', table, '-D', chain, ...rule]);
      return r.ok ? ok(undefined) : r;
    }
    return ok(undefined);
  }

  /**
   * `Forward`: the DNAT rule in this (nat) chain, the ACCEPT rule in the filter chain of the same
   * name, and the MASQUERADE of a container reaching itself through its published port.
   */
  forward(action: IptAction, hostIp: string, hostPort: number, proto: string, destAddr: string, destPort: number, bridgeName: string): Result<void> {
    // iptables reads "0.0.0.0" as 0.0.0.0/32; "0/0" means any address (`ip.IsUnspecified()`).
    const daddr = hostIp === '0.0.0.0' || hostIp === '::' ? '0/0' : hostIp;
    const dnat = ['-p', proto, '-d', daddr, '--dport', String(hostPort), '-j', 'DNAT', '--to-destination', `${destAddr}:${destPort}`];
    if (!this.hairpinMode) dnat.push('!', '-i', bridgeName);
    const r1 = this.ipt.programRule('nat', this.name, action, dnat);
    if (!r1.ok) return r1;
    const accept = ['!', '-i', bridgeName, '-o', bridgeName, '-p', proto, '-d', destAddr, '--dport', String(destPort), '-j', 'ACCEPT'];
    const r2 = this.ipt.programRule('filter', this.name, action, accept);
    if (!r2.ok) return r2;
    const masq = ['-p', proto, '-s', destAddr, '-d', destAddr, '--dport', String(destPort), '-j', 'MASQUERADE'];
    const r3 = this.ipt.programRule('nat', 'POSTROUTING', action, masq);
    if (!r3.ok) return r3;
    if (proto === 'sctp') {
      return this.ipt.programRule('mangle', 'POSTROUTING', action, ['-p', proto, '--sport', String(destPort), '-j', 'CHECKSUM', '--checksum-fill']);
    }
    return ok(undefined);
  }

  /**
   * `Link`: ACCEPT from `ip1` to `ip2`'s port and the replies back, both in the filter chain of
   * this name (legacy `--link` with ICC off).
   */
  link(action: IptAction, ip1: string, ip2: string, port: number, proto: string, bridgeName: string): Result<void> {
    const args = ['-i', bridgeName, '-o', bridgeName, '-p', proto, '-s', ip1, '-d', ip2, '--dport', String(port), '-j', 'ACCEPT'];
    const r = this.ipt.programRule('filter', this.name, action, args);
    if (!r.ok) return r;
    const reverse = ['-i', bridgeName, '-o', bridgeName, '-p', proto, '-s', ip2, '-d', ip1, '--sport', String(port), '-j', 'ACCEPT'];
    return this.ipt.programRule('filter', this.name, action, reverse);
  }

  /** The port mapper's view of this nat chain for one bridge (`SetIptablesChain(natChain, br)`). */
  forwardingFor(bridgeName: string): ForwardingChain {
    return {
      forward: (action: 'append' | 'delete', spec: ProxySpec) =>
        this.forward(action, spec.hostIp, spec.hostPort, spec.proto, formatIpv4(spec.containerIp), spec.containerPort, bridgeName),
    };
  }
}
