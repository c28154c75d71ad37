/**
 * The netfilter hooks of a namespace with iptables state: at each hook, the tables, conntrack,
 * NAT and IPVS in the order of their priorities, each applied to the packet as Linux applies it.
 *
 * Models: the hook priorities of `include/uapi/linux/netfilter_ipv4.h` (linux-primitives.md 1.1)
 * and the functions registered there:
 *
 *   PREROUTING   raw(-300)  conntrack(-200)  mangle(-150)  nat DST(-100)
 *   INPUT        mangle(-150)  filter(0)  security(50)  [IPVS 98/99]  nat SRC(100)  confirm(MAX)
 *   FORWARD      mangle(-150)  filter(0)  security(50)  [IPVS 99/100]
 *   OUTPUT       raw(-300)  conntrack(-200)  mangle(-150)  nat DST(-100)  [IPVS -99/-98]  filter(0)  security(50)
 *   POSTROUTING  mangle(-150)  nat SRC(100)  confirm(MAX)
 *
 * - A table is traversed only if it exists (iptables-nft registers a table's chains when the table
 *   is created); conntrack runs in every namespace that has iptables state.
 * - `ipt_do_table` is the netfilter module's `traverseChain`; its decision is applied here:
 *   counters, `skb->mark`, `ct->mark`, `nf_trace`, NOTRACK, LOG lines, the verdict; REJECT sends
 *   its answer (reject.ts) attached to the packet's entry (`nf_ct_attach`), then drops.
 * - NAT (`nf_nat_ipv4_fn` / `nf_nat_inet_fn`): nothing without a conntrack entry; an ICMP error
 *   RELATED to an entry is translated (`nf_nat_icmp_reply_translation`) and never sees the nat
 *   chains; a NEW (or RELATED) packet whose manip type is not yet decided traverses the nat chain,
 *   and a NAT target's range (MASQUERADE from the egress device's address, REDIRECT to the
 *   ingress device's first address or 127.0.0.1) sets up the binding, else a null binding is
 *   installed; every packet is then rewritten from the entry (`nf_nat_packet`). So later packets,
 *   replies, and packets looped back through `lo` (their entry comes with them) never see the nat
 *   chains. A MASQUERADEd connection whose packets leave through another device is killed and the
 *   packet dropped (`nf_nat_oif_changed`).
 * - TRACE (`ip_tables.c` `trace_packet`): matched rules and chain ends of a packet with `nf_trace`
 *   log `TRACE: table:chain:type:num` plus the nf_log dump into the host's kernel log (only from
 *   the initial namespace unless `nf_log_all_netns=1`).
 * Trace records: one `netfilter` record per rule looked at (table, chain, rule number, rule text as
 * iptables-save prints it, what happened, and the TRACE line when there is one), `conntrack`
 * records for lookups, bindings and confirmation, `rewrite` records with the header before and
 * after, and a `drop` record naming the deciding `table/chain` and rule. Nothing is built for the
 * trace while tracing is off.
 * Leaves out: the security table's SELinux side, NFQUEUE (a QUEUE verdict drops, as with no
 * listener), conntrack zones and helpers, the `ip_route_me_harder` reroute (the IPv4 output path
 * does it).
 */
import { formatIpv4, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, type Ipv4, type Ipv4Repr } from '../../packet/index.js';
import type { TraceValue } from '../../engine/index.js';
import {
  CT_UNTRACKED,
  CtRef,
  bindingText,
  conntrackConfirm,
  conntrackIn,
  ctAttachFrom,
  ctOf,
  natIcmpReply,
  natInitialized,
  natPacket,
  relatedAnswer,
  setupNat,
  type ConntrackTable,
  type ManipType,
  type NatBinding,
  type NatRangeSpec,
  type NatRewrite,
} from '../conntrack/index.js';
import type { NetDevice } from '../device.js';
import type { NetfilterHooks, NfHook, NfHookContext, NfVerdict } from '../hooks.js';
import {
  applyCounters,
  traverseChain,
  type NfNatDecision,
  type NfStep,
  type NfTraversal,
  type Ruleset,
  type TableName,
} from '../netfilter/index.js';
import type { NetNamespace } from '../netns.js';
import type { Skb } from '../skb.js';
import { firstAddress, masqueradeSource } from './ipv4-access.js';
import type { IpvsSlot, NfHookOp } from './ipvs-slot.js';
import { NF_LOG, kernelLog, nfLogAllowed, nfLogDump } from './nf-log.js';
import { nfContextOf, nfPacketOf } from './packet-view.js';
import { sendReject } from './reject.js';

type StepResult = 'continue' | 'drop' | 'stolen';

/** A hook context that may carry the next hop of the packet's route (for MASQUERADE). */
type HookContext = NfHookContext & { readonly nexthop?: Ipv4 | undefined };

/** One function on a hook's list (`struct nf_hook_entry`). */
export interface HookStep {
  readonly name: string;
  readonly priority: number;
  readonly run: (skb: Skb, ctx: HookContext) => StepResult;
}

/** `enum nf_ip_hook_priorities` (include/uapi/linux/netfilter_ipv4.h). */
export const PRI = {
  raw: -300,
  conntrack: -200,
  mangle: -150,
  natDst: -100,
  filter: 0,
  security: 50,
  natSrc: 100,
  confirm: 0x7fffffff,
} as const;

function verdictStep(v: NfVerdict): StepResult {
  return v === 'accept' ? 'continue' : v;
}

export const BR_NETFILTER_EXT_KEY = 'br_netfilter';

export class NfHooks implements NetfilterHooks {
  readonly ns: NetNamespace;
  readonly ruleset: Ruleset;
  readonly conntrack: ConntrackTable;
  /** The IPVS module's slot, once it registered one (see `registerIpvsSlot`). */
  ipvs: IpvsSlot | undefined = undefined;
  private readonly pipelines = new Map<NfHook, HookStep[]>();
  private readonly extraOps = new Map<string, readonly NfHookOp[]>();
  /** `nf_ct_attach` for the answer REJECT is sending right now (see `withAttach`). */
  private pendingAttach: CtRef | undefined = undefined;

  constructor(ns: NetNamespace, ruleset: Ruleset, conntrack: ConntrackTable) {
    this.ns = ns;
    this.ruleset = ruleset;
    this.conntrack = conntrack;
  }

  bridgeCallIptables(): boolean {
    if (this.ns.ext.get(BR_NETFILTER_EXT_KEY) !== true) return false;
    return this.ns.sysctl.number('net.bridge.bridge-nf-call-iptables') !== 0;
  }

  /**
   * `nf_ct_attach(nskb, cause)`: gives a packet the kernel builds in answer to `cause` (an ICMP
   * error, a RST) the cause's entry, RELATED, in the other direction.
   */
  attach(nskb: Skb, cause: Skb): void {
    nskb.ct = ctAttachFrom(cause);
  }

  hook(skb: Skb, ctx: NfHookContext): NfVerdict {
    if (skb.frame.payload.kind !== 'ipv4') return 'accept';
    const c: HookContext = ctx;
    for (const step of this.pipeline(c.hook)) {
      const r = step.run(skb, c);
      if (r !== 'continue') return r;
    }
    return 'accept';
  }

  /** The functions on `hook`, in priority order (built lazily, rebuilt when ops change). */
  pipeline(hook: NfHook): readonly HookStep[] {
    let steps = this.pipelines.get(hook);
    if (steps === undefined) {
      steps = this.buildPipeline(hook);
      this.pipelines.set(hook, steps);
    }
    return steps;
  }

  /** `nf_register_net_hook` for other modules' functions (IPVS). Replaces earlier ops of that owner. */
  setOps(owner: string, ops: readonly NfHookOp[]): void {
    this.extraOps.set(owner, ops);
    this.pipelines.clear();
  }

  private buildPipeline(hook: NfHook): HookStep[] {
    const table = (t: TableName, priority: number): HookStep => ({ name: t, priority, run: (skb, c) => this.table(skb, c, t) });
    const builtin: HookStep[] = [];
    switch (hook) {
      case 'PREROUTING':
        builtin.push(
          table('raw', PRI.raw),
          { name: 'conntrack', priority: PRI.conntrack, run: (skb, c) => this.track(skb, c, 'PREROUTING') },
          table('mangle', PRI.mangle),
          { name: 'nat', priority: PRI.natDst, run: (skb, c) => this.nat(skb, c, 'DST') },
        );
        break;
      case 'INPUT':
        builtin.push(
          table('mangle', PRI.mangle),
          table('filter', PRI.filter),
          table('security', PRI.security),
          { name: 'nat', priority: PRI.natSrc, run: (skb, c) => this.nat(skb, c, 'SRC') },
          { name: 'confirm', priority: PRI.confirm, run: (skb, c) => this.confirm(skb, c) },
        );
        break;
      case 'FORWARD':
        builtin.push(table('mangle', PRI.mangle), table('filter', PRI.filter), table('security', PRI.security));
        break;
      case 'OUTPUT':
        builtin.push(
          table('raw', PRI.raw),
          { name: 'conntrack', priority: PRI.conntrack, run: (skb, c) => this.track(skb, c, 'OUTPUT') },
          table('mangle', PRI.mangle),
          { name: 'nat', priority: PRI.natDst, run: (skb, c) => this.nat(skb, c, 'DST') },
          table('filter', PRI.filter),
          table('security', PRI.security),
        );
        break;
      case 'POSTROUTING':
        builtin.push(
          table('mangle', PRI.mangle),
          { name: 'nat', priority: PRI.natSrc, run: (skb, c) => this.nat(skb, c, 'SRC') },
          { name: 'confirm', priority: PRI.confirm, run: (skb, c) => this.confirm(skb, c) },
        );
        break;
    }
    const steps = builtin;
    for (const ops of this.extraOps.values()) {
      for (const op of ops) {
        if (op.hook !== hook) continue;
        // nf_register_net_hook: before the first function of a higher priority.
        const at = steps.findIndex(s => s.priority > op.priority);
        const step: HookStep = { name: op.name, priority: op.priority, run: (skb, c) => verdictStep(op.fn(this.ns, skb, c)) };
        if (at < 0) steps.push(step);
        else steps.splice(at, 0, step);
      }
    }
    return steps;
  }

  private get tracing(): boolean {
    return this.ns.host.world.trace.enabled;
  }

  private dev(ctx: HookContext): NetDevice | undefined {
    return ctx.inDev ?? ctx.outDev;
  }

  // --- conntrack ------------------------------------------------------------------------------

  private track(skb: Skb, ctx: HookContext, hook: 'PREROUTING' | 'OUTPUT'): StepResult {
    const ip = ipOf(skb);
    if (hook === 'OUTPUT' && this.pendingAttach !== undefined && skb.ct === undefined && isKernelAnswer(ip)) {
      skb.ct = this.pendingAttach;
      this.pendingAttach = undefined;
      if (this.tracing) this.ns.trace(skb, undefined, 'conntrack', { event: 'attached', hook, ctstate: 'RELATED', to: bindingOrig(skb) });
      return 'continue';
    }
    const r = conntrackIn(this.conntrack, skb, ip, hook);
    if (r.kind === 'drop') {
      this.ns.drop(skb, this.dev(ctx), 'conntrack-invalid', { by: 'conntrack', hook, why: r.why });
      return 'drop';
    }
    return 'continue';
  }

  private confirm(skb: Skb, ctx: HookContext): StepResult {
    if (conntrackConfirm(this.conntrack, skb) === 'clash') {
      this.ns.drop(skb, this.dev(ctx), 'conntrack-invalid', { by: 'conntrack', hook: ctx.hook, why: 'insert clash: the tuple is already in the table' });
      return 'drop';
    }
    return 'continue';
  }

  // --- tables ---------------------------------------------------------------------------------

  private traverse(skb: Skb, ctx: HookContext, table: TableName, ip: Ipv4Repr): NfTraversal {
    const pkt = nfPacketOf(skb, ip, ctx, this.ipvs?.matchInfo === undefined ? undefined : () => this.ipvs?.matchInfo?.(this.ns, skb));
    const trav = traverseChain(this.ruleset, table, ctx.hook, pkt, nfContextOf(this.ns, ctx.hook));
    applyCounters(this.ruleset, trav);
    this.applyEffects(skb, ctx, ip, trav);
    return trav;
  }

  private table(skb: Skb, ctx: HookContext, table: TableName): StepResult {
    if (this.ruleset.table(table) === undefined) return 'continue';
    const ip = ipOf(skb);
    const trav = this.traverse(skb, ctx, table, ip);
    const v = trav.verdict;
    switch (v.kind) {
      case 'accept':
      case 'nat':
        return 'continue';
      case 'drop':
      case 'queue':
        this.dropBy(skb, ctx, trav, v.kind === 'queue' ? 'no NFQUEUE listener' : undefined);
        return 'drop';
      case 'reject': {
        const ct = ctOf(skb);
        const answer = this.withAttach(ct instanceof CtRef ? ct : undefined, () => sendReject(this.ns, skb, ip, v.with, ctx.hook));
        this.dropBy(skb, ctx, trav, answer.sent === 'none' ? `REJECT sent nothing: ${answer.why}` : `REJECT answered with ${answer.sent === 'icmp' ? `ICMP 3/${answer.code}` : 'a TCP RST'}`);
        return 'drop';
      }
    }
  }

  /** Runs `send` with `ref` waiting to be attached to the first answer leaving through OUTPUT. */
  private withAttach<T>(ref: CtRef | undefined, send: () => T): T {
    const saved = this.pendingAttach;
    this.pendingAttach = ref === undefined ? undefined : relatedAnswer(ref);
    try {
      return send();
    } finally {
      this.pendingAttach = saved;
    }
  }

  private applyEffects(skb: Skb, ctx: HookContext, ip: Ipv4Repr, trav: NfTraversal): void {
    skb.mark = trav.mark;
    const ct = ctOf(skb);
    if (ct instanceof CtRef && trav.ctMark !== undefined) ct.entry.mark = trav.ctMark;
    const wasTraced = skb.nfTrace;
    skb.nfTrace = trav.trace;
    for (const e of trav.effects) {
      switch (e.kind) {
        case 'notrack':
          // xt_CT: "Previously seen (loopback)? Ignore."
          if (skb.ct === undefined) skb.ct = CT_UNTRACKED;
          break;
        case 'log': {
          const line = `${e.prefix}${nfLogDump(this.logPacket(skb, ctx, ip), e.flags)}`;
          if (nfLogAllowed(this.ns)) kernelLog(this.ns.host).push(line);
          if (this.tracing) this.ns.trace(skb, this.dev(ctx), 'netfilter', { hook: ctx.hook, table: e.at.table, chain: e.at.chain, rule: e.at.ruleNum, log: line });
          break;
        }
        case 'mark':
        case 'ct-mark':
        case 'trace':
        case 'ct-zone':
        case 'ct-helper':
          break;
      }
    }
    const traced = wasTraced || trav.trace;
    const lines = traced ? this.traceLines(skb, ctx, ip, trav) : undefined;
    if (this.tracing) this.recordSteps(skb, ctx, trav, lines);
  }

  private logPacket(skb: Skb, ctx: HookContext, ip: Ipv4Repr): Parameters<typeof nfLogDump>[0] {
    return {
      inDev: ctx.inDev?.name,
      outDev: ctx.outDev?.name,
      physIn: ctx.bridged?.physIn?.name,
      physOut: ctx.bridged?.physOut?.name,
      frame: skb.frame,
      ip,
      mark: skb.mark,
    };
  }

  /** TRACE lines of the steps that log one, in step order (undefined entries for the others). */
  private traceLines(skb: Skb, ctx: HookContext, ip: Ipv4Repr, trav: NfTraversal): (string | undefined)[] {
    let dump: string | undefined;
    const allowed = nfLogAllowed(this.ns);
    const out: (string | undefined)[] = [];
    for (const s of trav.steps) {
      const type = traceType(s, ctx.hook);
      if (type === undefined) {
        out.push(undefined);
        continue;
      }
      dump ??= nfLogDump(this.logPacket(skb, ctx, ip), NF_LOG.all);
      const line = `TRACE: ${s.table}:${s.chain}:${type}:${s.ruleNum} ${dump}`;
      if (allowed) kernelLog(this.ns.host).push(line);
      out.push(line);
    }
    return out;
  }

  private recordSteps(skb: Skb, ctx: HookContext, trav: NfTraversal, lines: (string | undefined)[] | undefined): void {
    const dev = this.dev(ctx);
    trav.steps.forEach((s, i) => {
      const detail: Record<string, TraceValue> = {
        hook: ctx.hook,
        table: s.table,
        chain: s.chain,
        rule: s.ruleNum,
        text: stepText(s, this.ruleset),
        verdict: stepVerdict(s),
        matched: s.kind === 'rule' ? s.matched : true,
      };
      const line = lines?.[i];
      if (line !== undefined) detail['trace'] = line;
      this.ns.trace(skb, dev, 'netfilter', detail);
    });
  }

  private dropBy(skb: Skb, ctx: HookContext, trav: NfTraversal, why: string | undefined): void {
    const last = trav.steps[trav.steps.length - 1];
    const detail: Record<string, TraceValue> = {
      by: `${last?.table ?? trav.table}/${last?.chain ?? trav.chain}`,
      hook: ctx.hook,
      rule: last?.ruleNum ?? 0,
      text: last === undefined ? '' : stepText(last, this.ruleset),
    };
    if (why !== undefined) detail['why'] = why;
    this.ns.drop(skb, this.dev(ctx), 'netfilter', detail);
  }

  // --- NAT ------------------------------------------------------------------------------------

  private nat(skb: Skb, ctx: HookContext, manip: ManipType): StepResult {
    if (this.ruleset.table('nat') === undefined) return 'continue';
    const ct = ctOf(skb);
    if (!(ct instanceof CtRef)) return 'continue';
    const ip = ipOf(skb);
    if ((ct.info === 'related' || ct.info === 'related-reply') && ip.protocol === IPPROTO_ICMP) {
      const r = natIcmpReply(ct, manip, ip);
      if (r === 'drop') {
        this.ns.drop(skb, this.dev(ctx), 'netfilter', { by: `nat/${ctx.hook}`, hook: ctx.hook, why: 'ICMP error about a NATed connection that cannot be translated' });
        return 'drop';
      }
      if (r !== undefined) this.rewrite(skb, ctx, ct, r);
      return 'continue';
    }
    const entry = ct.entry;
    // nf_nat_inet_fn: RELATED and RELATED_REPLY ("Only ICMPs can be IP_CT_IS_REPLY") share NEW's branch.
    if (ct.info !== 'established' && ct.info !== 'established-reply' && !natInitialized(entry, manip)) {
      const trav = this.traverse(skb, ctx, 'nat', ip);
      const v = trav.verdict;
      if (v.kind === 'drop' || v.kind === 'queue' || v.kind === 'reject') {
        this.dropBy(skb, ctx, trav, undefined);
        return 'drop';
      }
      if (v.kind === 'nat') {
        const range = this.natRange(v.nat, ctx, ip, ct);
        if (range === 'drop') {
          this.dropBy(skb, ctx, trav, v.nat.kind === 'masquerade' ? `MASQUERADE: ${ctx.outDev?.name ?? '?'} has no address` : 'REDIRECT: the ingress device has no address');
          return 'drop';
        }
        if (range !== 'skip') this.traceBinding(skb, setupNat(this.conntrack, entry, range, manip));
      }
      if (!natInitialized(entry, manip)) this.traceBinding(skb, setupNat(this.conntrack, entry, undefined, manip));
    } else if (this.oifChanged(ct, ctx)) {
      this.conntrack.kill(entry);
      this.ns.drop(skb, this.dev(ctx), 'netfilter', { by: `nat/${ctx.hook}`, hook: ctx.hook, why: 'MASQUERADE: the connection now leaves through another device' });
      return 'drop';
    }
    const rw = natPacket(ct, manip, ipOf(skb));
    if (rw !== undefined) this.rewrite(skb, ctx, ct, rw);
    return 'continue';
  }

  /** `nf_nat_oif_changed`. */
  private oifChanged(ct: CtRef, ctx: HookContext): boolean {
    const masq = ct.entry.masqIfindex;
    return ctx.hook === 'POSTROUTING' && ct.dir === 'original' && masq !== undefined && ctx.outDev !== undefined && ctx.outDev.ifindex !== masq;
  }

  /** The range a NAT target gives, 'drop' when MASQUERADE/REDIRECT find no address, 'skip' for a 0.0.0.0 source. */
  private natRange(d: NfNatDecision, ctx: HookContext, ip: Ipv4Repr, ct: CtRef): NatRangeSpec | 'drop' | 'skip' {
    switch (d.kind) {
      case 'dnat':
        return { ips: d.range.ips, ports: d.range.ports, random: d.random, persistent: d.persistent };
      case 'snat':
        return { ips: d.range.ips, ports: d.range.ports, random: d.random || d.randomFully, persistent: d.persistent };
      case 'masquerade': {
        // "Source address is 0.0.0.0 - locally generated packet that is probably not supposed to be masqueraded."
        if (ct.entry.orig.src === 0) return 'skip';
        const out = ctx.outDev;
        if (out === undefined) return 'drop';
        const src = masqueradeSource(this.ns, out, ip.dst, ctx.nexthop);
        if (src === 0) return 'drop';
        ct.entry.masqIfindex = out.ifindex;
        return { ips: { min: src, max: src }, ports: d.ports, random: d.random || d.randomFully };
      }
      case 'redirect': {
        let dst: Ipv4;
        if (ctx.hook === 'OUTPUT') dst = 0x7f000001;
        else dst = ctx.inDev === undefined ? 0 : firstAddress(this.ns, ctx.inDev);
        if (dst === 0) return 'drop';
        return { ips: { min: dst, max: dst }, ports: d.ports, random: d.random };
      }
    }
  }

  private traceBinding(skb: Skb, b: NatBinding | undefined): void {
    if (b === undefined || !this.tracing) return;
    this.ns.trace(skb, undefined, 'conntrack', { event: 'nat', manip: b.manip, binding: bindingText(b), changed: b.changed, nullBinding: b.nullBinding });
  }

  private rewrite(skb: Skb, ctx: HookContext, ct: CtRef, rw: NatRewrite): void {
    skb.frame = { ...skb.frame, payload: rw.after };
    if (!this.tracing) return;
    const what = rw.manip === 'SRC' ? (ct.dir === 'original' ? 'SNAT' : 'un-DNAT') : ct.dir === 'original' ? 'DNAT' : 'un-SNAT';
    this.ns.trace(skb, this.dev(ctx), 'rewrite', {
      hook: ctx.hook,
      nat: rw.quoted ? `${what} (ICMP error and quoted header)` : what,
      before: headerText(rw.before),
      after: headerText(rw.after),
    });
  }
}

function ipOf(skb: Skb): Ipv4Repr {
  const p = skb.frame.payload;
  if (p.kind !== 'ipv4') throw new Error('netfilter hook reached with a frame that is not IPv4');
  return p;
}

/** The packets `nf_ct_attach` is used for: ICMP errors (`icmp_send`) and REJECT's TCP RST. */
function isKernelAnswer(ip: Ipv4Repr): boolean {
  const p = ip.payload;
  if (p.kind === 'icmp') return p.type === 'dest-unreachable' || p.type === 'time-exceeded' || (p.type === 'other' && [4, 5, 12].includes(p.icmpType));
  return p.kind === 'tcp' && (p.flags & 0x04) !== 0;
}

function bindingOrig(skb: Skb): string {
  const ct = ctOf(skb);
  if (!(ct instanceof CtRef)) return '';
  const o = ct.entry.orig;
  return `${formatIpv4(o.src)} > ${formatIpv4(o.dst)}`;
}

/** `trace_packet`'s type of a step, or undefined when it logs nothing. */
function traceType(s: NfStep, hook: string): string | undefined {
  if (!s.traced) return undefined;
  if (s.kind === 'rule') {
    if (!s.matched) return undefined;
    return s.unconditionalStandard ? (s.chain === hook ? 'policy' : 'return') : 'rule';
  }
  return s.kind;
}

function stepText(s: NfStep, ruleset: Ruleset): string {
  if (s.kind === 'rule') return s.ruleText;
  if (s.kind === 'policy') return `-P ${s.chain} ${ruleset.view(s.table).chains.get(s.chain)?.policy ?? 'ACCEPT'}`;
  return `(end of ${s.chain}: return)`;
}

function stepVerdict(s: NfStep): string {
  if (s.kind === 'return') return 'return';
  const v = s.verdict;
  if (s.kind === 'rule' && v === undefined) return s.outcome;
  if (v === undefined) return 'ACCEPT';
  switch (v.kind) {
    case 'accept':
      return 'ACCEPT';
    case 'drop':
      return 'DROP';
    case 'queue':
      return 'QUEUE';
    case 'reject':
      return 'REJECT';
    case 'nat':
      return v.nat.kind.toUpperCase();
  }
}

/** `proto src:port > dst:port` of a datagram, for rewrite records. */
export function headerText(ip: Ipv4Repr): string {
  const p = ip.payload;
  const src = formatIpv4(ip.src);
  const dst = formatIpv4(ip.dst);
  if ((ip.protocol === IPPROTO_TCP || ip.protocol === IPPROTO_UDP) && (p.kind === 'tcp' || p.kind === 'udp')) {
    return `${p.kind} ${src}:${p.srcPort} > ${dst}:${p.dstPort}`;
  }
  if (p.kind === 'icmp') {
    if (p.type === 'echo-request' || p.type === 'echo-reply') return `icmp ${src} > ${dst} ${p.type} id ${p.id}`;
    return `icmp ${src} > ${dst} ${p.type}`;
  }
  return `proto ${ip.protocol} ${src} > ${dst}`;
}
