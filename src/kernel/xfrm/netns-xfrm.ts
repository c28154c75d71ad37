/**
 * The xfrm state of one namespace (`struct netns_xfrm`): its security association database
 * (states) and security policy database (policies), with the iproute2-shaped calls that change
 * them and the lookups the packet path makes.
 *
 * Models: `net/xfrm/xfrm_state.c` (`xfrm_state_add`: (daddr, SPI, proto) is the key,
 * `xfrm_state_update`: an existing VALID state keeps its algorithms and keys, only what Linux
 * copies over (lifetimes, encapsulation) would change, so here nothing; `xfrm_state_lookup` by
 * (daddr, SPI, proto) for input; `xfrm_state_flush` by protocol; `xfrm_state_walk` lists the
 * newest first because `__xfrm_state_insert` adds at the head of `state_all`),
 * `net/xfrm/xfrm_policy.c` (`xfrm_policy_insert`: a policy is identified by direction and
 * selector, `add` of a taken one is EEXIST and `update` replaces it in place; `xfrm_policy_bysel_ctx`
 * for get and delete; `xfrm_policy_flush`; `xfrm_policy_walk` lists the newest first, as
 * `__xfrm_policy_link` adds at the head of `policy_all`).
 * Kept in `ns.ext` under `xfrm`; `xfrmOf` (install.ts) creates it and hooks it into IPv4.
 * Leaves out: acquires and larval states (there is no key manager: a missing state is final),
 * SPI allocation (`allocspi`), marks and `if_id`, hash resizing, per-state lifetimes.
 */
import type { Ipv4 } from '../../packet/index.js';
import { iprouteOk, type IprouteResult } from '../ipv4/index.js';
import type { NetNamespace } from '../netns.js';
import { XFRM_ERRORS } from './errors.js';
import { findOutputState, lookupPolicy, XfrmPolicy, type XfrmDir, type XfrmPolicySpec, type XfrmTemplate } from './policy.js';
import { selectorEquals, type XfrmFlow, type XfrmSelector } from './selector.js';
import { checkStateSpec, XfrmState, type XfrmStateSpec } from './state.js';

export const XFRM_EXT_KEY = 'xfrm';

export class NetnsXfrm {
  readonly ns: NetNamespace;
  /** States in insertion order (listings print them newest first). */
  private readonly stateList: XfrmState[] = [];
  private readonly policyList: XfrmPolicy[] = [];
  private readonly policyCounts: Record<XfrmDir, number> = { in: 0, out: 0, fwd: 0 };
  private serial = 0;

  constructor(ns: NetNamespace) {
    this.ns = ns;
  }

  // --- states (SAD) -----------------------------------------------------------------------

  /** `ip xfrm state add` (`update`: the state must exist, and keeps its keys). */
  stateAdd(spec: XfrmStateSpec, update = false): IprouteResult<XfrmState> {
    const invalid = checkStateSpec(spec);
    if (invalid !== undefined) return invalid;
    const existing = this.stateGet(spec.dst, spec.spi, spec.proto);
    if (update) return existing === undefined ? XFRM_ERRORS.stateNotFound() : iprouteOk(existing);
    if (existing !== undefined) return XFRM_ERRORS.stateExists();
    const state = new XfrmState(spec, ++this.serial);
    this.stateList.push(state);
    return iprouteOk(state);
  }

  /** `xfrm_state_lookup`: the state for (daddr, SPI, proto). */
  stateGet(dst: Ipv4, spi: number, proto: number): XfrmState | undefined {
    const s = spi >>> 0;
    for (const x of this.stateList) if (x.dst === dst && x.spi === s && x.proto === proto) return x;
    return undefined;
  }

  /** `ip xfrm state delete`. */
  stateDel(dst: Ipv4, spi: number, proto: number): IprouteResult<XfrmState> {
    const x = this.stateGet(dst, spi, proto);
    if (x === undefined) return XFRM_ERRORS.stateNotFound();
    this.stateList.splice(this.stateList.indexOf(x), 1);
    return iprouteOk(x);
  }

  /** `ip xfrm state flush [proto P]`: how many went. */
  stateFlush(proto?: number): number {
    const before = this.stateList.length;
    const kept = this.stateList.filter(x => proto !== undefined && proto !== 0 && x.proto !== proto);
    this.stateList.splice(0, this.stateList.length, ...kept);
    return before - kept.length;
  }

  /** Every state, newest first (the dump order). */
  states(): XfrmState[] {
    return [...this.stateList].reverse();
  }

  /** The state an out template resolves to for `flow`. */
  outputState(tmpl: XfrmTemplate, flow: XfrmFlow): XfrmState | undefined {
    return findOutputState(this.stateList, tmpl, flow);
  }

  // --- policies (SPD) ---------------------------------------------------------------------

  /** `ip xfrm policy add` (`update`: replace the policy of that selector and direction, or add). */
  policyAdd(spec: XfrmPolicySpec, update = false): IprouteResult<XfrmPolicy> {
    const existing = this.policyGet(spec.sel, spec.dir);
    if (existing !== undefined && !update) return XFRM_ERRORS.policyExists();
    const policy = new XfrmPolicy(spec, ++this.serial);
    if (existing !== undefined) {
      this.policyList[this.policyList.indexOf(existing)] = policy;
    } else {
      this.policyList.push(policy);
      this.policyCounts[spec.dir]++;
    }
    return iprouteOk(policy);
  }

  /** `xfrm_policy_bysel_ctx`. */
  policyGet(sel: XfrmSelector, dir: XfrmDir): XfrmPolicy | undefined {
    return this.policyList.find(p => p.dir === dir && selectorEquals(p.sel, sel));
  }

  /** `ip xfrm policy delete SELECTOR dir DIR`. */
  policyDel(sel: XfrmSelector, dir: XfrmDir): IprouteResult<XfrmPolicy> {
    const p = this.policyGet(sel, dir);
    if (p === undefined) return XFRM_ERRORS.policyNotFound();
    this.policyList.splice(this.policyList.indexOf(p), 1);
    this.policyCounts[dir]--;
    return iprouteOk(p);
  }

  /** `ip xfrm policy flush`: how many went. */
  policyFlush(): number {
    const n = this.policyList.length;
    this.policyList.length = 0;
    this.policyCounts.in = this.policyCounts.out = this.policyCounts.fwd = 0;
    return n;
  }

  /** Every policy, newest first (the dump order). */
  policies(): XfrmPolicy[] {
    return [...this.policyList].reverse();
  }

  /** `net->xfrm.policy_count[dir]`: the fast paths skip a direction without policies. */
  policyCount(dir: XfrmDir): number {
    return this.policyCounts[dir];
  }

  /** The policy of `dir` that applies to `flow`. */
  lookup(dir: XfrmDir, flow: XfrmFlow): XfrmPolicy | undefined {
    return this.policyCounts[dir] === 0 ? undefined : lookupPolicy(this.policyList, dir, flow);
  }
}

/** The xfrm state of `ns` if it has one (no policies and no states were ever configured otherwise). */
export function netnsXfrm(ns: NetNamespace): NetnsXfrm | undefined {
  const x = ns.ext.get(XFRM_EXT_KEY);
  return x instanceof NetnsXfrm ? x : undefined;
}
