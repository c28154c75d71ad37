/**
 * The IPVS connection table of one namespace: connection entries, persistence templates, their
 * timers on the engine clock, and the ActiveConn / InActConn / PersistConn counters.
 *
 * Models: net/netfilter/ipvs/ip_vs_conn.c:
 * - `ip_vs_conn_new`: an entry (caddr:cport -> vaddr:vport -> daddr:dport, protocol, forwarding
 *   method) bound to its destination as inactive (`ip_vs_bind_dest`); flag NOOUTPUT for every
 *   method but masquerading, NFCT when `net.ipv4.vs.conntrack` is 1, ONE_PACKET for `--ops` UDP.
 * - `ip_vs_conn_in_get` (client -> VIP direction), `ip_vs_conn_out_get` (real server -> client
 *   direction), `ip_vs_ct_in_get` (templates: <proto, masked caddr, 0, vaddr or fwmark, vport>).
 * - `ip_vs_conn_put`: every packet re-arms the timer with the timeout of the current state;
 *   ONE_PACKET entries expire at once. `ip_vs_conn_expire`: an entry that still controls others
 *   (a template with live connections) is re-armed for 60 s; otherwise it is unlinked, detached
 *   from its template and unbound from its destination. `ip_vs_conn_expire_now` is immediate.
 * - `ip_vs_check_template` invalidation: the template's ports become 65535 so no lookup finds it,
 *   and it stays listed until its timer runs out.
 * - `ip_vs_set_state` for TCP (proto.ts) moves a connection between the active and inactive
 *   counters of its destination when it enters or leaves ESTABLISHED.
 * Listing order is creation order (the kernel walks its hash buckets).
 * Leaves out: the connection sync daemon, application helpers (FTP), `ip_vs_conn_drop_conntrack`
 * on expiry, the IP_VS_CONN_F_NO_CPORT form, the 4096-bucket hash itself (a Map stands for it).
 */
import type { Duration, EventId, EventHandler, Instant } from '../../engine/index.js';
import { SECOND } from '../../engine/index.js';
import { IPPROTO_TCP, type Ipv4 } from '../../packet/index.js';
import { TCP_S_ESTABLISHED, tcpNextState, type IpvsDir, type ProtoTimeouts } from './proto.js';
import type { FwdMethod, RealServer, VirtualService } from './service.js';

/** The engine operations the table needs (the `Engine` satisfies it). */
export interface IpvsClock {
  readonly now: Instant;
  scheduleIn(delay: Duration, handler: EventHandler): EventId;
  cancel(id: EventId): boolean;
}

/** `ip_vs_conn_new`'s initial timeout, before the first state transition. */
const INITIAL_TIMEOUT = 3 * SECOND;
/** `ip_vs_conn_expire` "expire_later" for an entry that still controls others. */
const CONTROL_RETRY = 60 * SECOND;

export interface ConnParams {
  readonly protocol: number;
  readonly caddr: Ipv4;
  readonly cport: number;
  readonly vaddr: Ipv4;
  readonly vport: number;
  readonly daddr: Ipv4;
  readonly dport: number;
  readonly dest: RealServer;
  readonly svc: VirtualService;
  readonly template: boolean;
  readonly nfct: boolean;
  readonly onePacket: boolean;
  /** `skb->mark` of the packet that created it (`cp->fwmark`). */
  readonly fwmark: number;
}

export class IpvsConn {
  readonly protocol: number;
  readonly caddr: Ipv4;
  cport: number;
  readonly vaddr: Ipv4;
  vport: number;
  readonly daddr: Ipv4;
  dport: number;
  readonly fwd: FwdMethod;
  readonly template: boolean;
  readonly nfct: boolean;
  readonly onePacket: boolean;
  readonly fwmark: number;
  readonly dest: RealServer;
  readonly svc: VirtualService;
  /** TCP state index (proto.ts), 0 for UDP and templates. */
  state = 0;
  /** IP_VS_CONN_F_INACTIVE: counted in InActConn. */
  inactive = true;
  /** IP_VS_CONN_F_NOOUTPUT: no reply seen through the director (non-masq methods). */
  noOutput: boolean;
  /** The template this connection was created from (`cp->control`). */
  control: IpvsConn | undefined = undefined;
  /** Connections this template controls (`cp->n_control`). */
  nControl = 0;
  timeout: Duration = INITIAL_TIMEOUT;
  expiresAt: Instant;
  timer: EventId | undefined = undefined;
  linked = true;

  constructor(
    readonly id: number,
    p: ConnParams,
    now: Instant,
  ) {
    this.protocol = p.protocol;
    this.caddr = p.caddr;
    this.cport = p.cport;
    this.vaddr = p.vaddr;
    this.vport = p.vport;
    this.daddr = p.daddr;
    this.dport = p.dport;
    this.dest = p.dest;
    this.svc = p.svc;
    this.fwd = p.dest.fwd;
    this.template = p.template;
    this.nfct = p.nfct && !p.template;
    this.onePacket = p.onePacket;
    this.fwmark = p.fwmark;
    this.noOutput = p.dest.fwd !== 'masq';
    this.expiresAt = now + INITIAL_TIMEOUT;
  }
}

function inKey(protocol: number, caddr: Ipv4, cport: number, vaddr: Ipv4, vport: number): string {
  return `${protocol}|${caddr}|${cport}|${vaddr}|${vport}`;
}

export class ConnTable {
  private readonly inIndex = new Map<string, IpvsConn>();
  private readonly outIndex = new Map<string, IpvsConn>();
  private readonly tplIndex = new Map<string, IpvsConn>();
  private readonly live = new Map<number, IpvsConn>();
  private nextId = 1;

  constructor(
    private readonly clock: IpvsClock,
    private readonly timeouts: ProtoTimeouts,
  ) {}

  get count(): number {
    return this.live.size;
  }

  /** `ip_vs_conn_new` + `ip_vs_bind_dest` + `ip_vs_conn_hash`. */
  create(p: ConnParams): IpvsConn {
    const conn = new IpvsConn(this.nextId++, p, this.clock.now);
    conn.dest.bind(conn.template, true);
    if (!conn.onePacket) {
      if (conn.template) this.tplIndex.set(inKey(conn.protocol, conn.caddr, conn.cport, conn.vaddr, conn.vport), conn);
      else {
        this.inIndex.set(inKey(conn.protocol, conn.caddr, conn.cport, conn.vaddr, conn.vport), conn);
        this.outIndex.set(inKey(conn.protocol, conn.daddr, conn.dport, conn.caddr, conn.cport), conn);
      }
    }
    this.live.set(conn.id, conn);
    this.arm(conn);
    return conn;
  }

  /** `ip_vs_conn_in_get`: a packet from the client to the virtual address. */
  inGet(protocol: number, saddr: Ipv4, sport: number, daddr: Ipv4, dport: number): IpvsConn | undefined {
    return this.inIndex.get(inKey(protocol, saddr, sport, daddr, dport));
  }

  /** `ip_vs_conn_out_get`: a packet from the real server back to the client. */
  outGet(protocol: number, saddr: Ipv4, sport: number, daddr: Ipv4, dport: number): IpvsConn | undefined {
    return this.outIndex.get(inKey(protocol, saddr, sport, daddr, dport));
  }

  /** `ip_vs_ct_in_get`: the persistence template for <protocol, client net, vaddr-or-fwmark, vport>. */
  templateGet(protocol: number, cnet: Ipv4, vaddr: Ipv4, vport: number): IpvsConn | undefined {
    return this.tplIndex.get(inKey(protocol, cnet, 0, vaddr, vport));
  }

  /** `ip_vs_control_add`. */
  addControl(conn: IpvsConn, template: IpvsConn): void {
    conn.control = template;
    template.nControl++;
  }

  /** `ip_vs_check_template` failing: the template can no longer be found, its ports say 65535. */
  invalidateTemplate(template: IpvsConn): void {
    const key = inKey(template.protocol, template.caddr, template.cport, template.vaddr, template.vport);
    if (this.tplIndex.get(key) === template) this.tplIndex.delete(key);
    template.vport = 0xffff;
    template.dport = 0xffff;
    template.cport = 0;
  }

  /** `ip_vs_set_state`: the protocol's state machine and the destination's counters. */
  setState(conn: IpvsConn, dir: IpvsDir, tcpFlags: number): void {
    if (conn.protocol !== IPPROTO_TCP) {
      conn.timeout = this.timeouts.of(conn.protocol, 0);
      return;
    }
    const next = tcpNextState(conn.state, dir, tcpFlags, conn.noOutput);
    conn.noOutput = next.noOutput;
    if (next.state !== conn.state) {
      if (!conn.inactive && next.state !== TCP_S_ESTABLISHED) {
        conn.dest.activeConns--;
        conn.dest.inactConns++;
        conn.inactive = true;
      } else if (conn.inactive && next.state === TCP_S_ESTABLISHED) {
        conn.dest.activeConns++;
        conn.dest.inactConns--;
        conn.inactive = false;
      }
    }
    conn.state = next.state;
    conn.timeout = this.timeouts.of(conn.protocol, conn.state);
  }

  /** `ip_vs_conn_put`: re-arms the timer with the current timeout (ONE_PACKET: expire now). */
  put(conn: IpvsConn): void {
    if (!conn.linked) return;
    if (conn.onePacket) {
      this.expire(conn);
      return;
    }
    this.arm(conn);
  }

  /** `ip_vs_conn_expire_now`. */
  expireNow(conn: IpvsConn): void {
    this.expire(conn);
  }

  /** Live entries in creation order (what `ipvsadm -Lnc` lists). */
  entries(): IpvsConn[] {
    return [...this.live.values()];
  }

  private arm(conn: IpvsConn): void {
    if (conn.timer !== undefined) this.clock.cancel(conn.timer);
    conn.expiresAt = this.clock.now + conn.timeout;
    conn.timer = this.clock.scheduleIn(conn.timeout, () => {
      conn.timer = undefined;
      this.expire(conn);
    });
  }

  /** `ip_vs_conn_expire`. */
  private expire(conn: IpvsConn): void {
    if (!conn.linked) return;
    if (conn.nControl > 0) {
      conn.timeout = CONTROL_RETRY;
      this.arm(conn);
      return;
    }
    if (conn.timer !== undefined) {
      this.clock.cancel(conn.timer);
      conn.timer = undefined;
    }
    conn.linked = false;
    this.unhash(conn);
    this.live.delete(conn.id);
    if (conn.control !== undefined) {
      conn.control.nControl--;
      conn.control = undefined;
    }
    conn.dest.unbind(conn.template, conn.inactive);
  }

  private unhash(conn: IpvsConn): void {
    const drop = (map: Map<string, IpvsConn>, key: string): void => {
      if (map.get(key) === conn) map.delete(key);
    };
    if (conn.template) drop(this.tplIndex, inKey(conn.protocol, conn.caddr, conn.cport, conn.vaddr, conn.vport));
    else {
      drop(this.inIndex, inKey(conn.protocol, conn.caddr, conn.cport, conn.vaddr, conn.vport));
      drop(this.outIndex, inKey(conn.protocol, conn.daddr, conn.dport, conn.caddr, conn.cport));
    }
  }
}
