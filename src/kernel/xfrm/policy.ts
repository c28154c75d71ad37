/**
 * An xfrm policy (a security policy, SP): which flows of one direction IPsec covers, and with
 * which transformations (templates); and the template checks of both directions.
 *
 * Models: `include/net/xfrm.h` (`struct xfrm_policy`, `struct xfrm_tmpl`), `net/xfrm/xfrm_policy.c`:
 *   - lookup (`xfrm_policy_lookup_bytype`): among the policies of the direction whose selector
 *     matches the flow, the lowest priority number wins; between equals, the older policy
 *     (`xfrm_policy_insert` puts a policy after those of the same priority);
 *   - output (`xfrm_tmpl_resolve_one` / `xfrm_state_find`): each template names a state by
 *     (remote, local, reqid, mode, proto, SPI if given); in transport mode a template without
 *     addresses stands for the flow's own; the state's source may be a wildcard
 *     (`__xfrm4_state_addr_check`); the newest matching state wins; a template with
 *     `level use` may go without a state;
 *   - input (`__xfrm_policy_check` / `xfrm_policy_ok` / `xfrm_state_ok`): the templates, last
 *     first, must find the states that decapsulated the packet (`skb->sp`) in order; a
 *     `level use` transport template may be skipped; a tunnel-mode state must match the
 *     template's addresses; a tunnel-mode state no template accounts for fails the check
 *     (`secpath_has_nontransport`).
 * Leaves out: socket policies, sub policies (`ptype sub`), marks, `if_id`, lifetimes, what the
 * `localok` and `icmp` flags do (they are kept and listed), `ipsec-any` templates, the
 * algorithm masks of templates.
 */
import { formatCidr, formatIpv4, type Ipv4 } from '../../packet/index.js';
import { selectorMatch, type XfrmFlow, type XfrmSelector } from './selector.js';
import type { XfrmMode, XfrmState } from './state.js';

export type XfrmDir = 'in' | 'out' | 'fwd';
export type XfrmAction = 'allow' | 'block';

export interface XfrmTemplate {
  /** `tmpl src`: 0.0.0.0 when not given. */
  readonly src: Ipv4;
  /** `tmpl dst`: 0.0.0.0 when not given. */
  readonly dst: Ipv4;
  readonly proto: number;
  /** 0 when not given: any SPI. */
  readonly spi: number;
  /** 0: only states with reqid 0 on output, any state on input. */
  readonly reqid: number;
  readonly mode: XfrmMode;
  /** `level use` (`optional`): a missing state or transform is tolerated. */
  readonly optional: boolean;
}

export interface XfrmPolicySpec {
  readonly sel: XfrmSelector;
  readonly dir: XfrmDir;
  readonly priority: number;
  readonly action: XfrmAction;
  readonly templates: readonly XfrmTemplate[];
  /** `flag localok icmp`: kept and listed; the model's packet path does not read them. */
  readonly flags?: readonly XfrmPolicyFlag[];
}

export type XfrmPolicyFlag = 'localok' | 'icmp';

export class XfrmPolicy implements XfrmPolicySpec {
  readonly sel: XfrmSelector;
  readonly dir: XfrmDir;
  readonly priority: number;
  readonly action: XfrmAction;
  readonly templates: readonly XfrmTemplate[];
  readonly flags: readonly XfrmPolicyFlag[];
  /** Insertion order (`pos`): the older of two equal-priority policies wins. */
  readonly serial: number;

  constructor(spec: XfrmPolicySpec, serial: number) {
    this.sel = spec.sel;
    this.dir = spec.dir;
    this.priority = spec.priority >>> 0;
    this.action = spec.action;
    this.templates = spec.templates;
    this.flags = spec.flags ?? [];
    this.serial = serial;
  }
}

/** The policy of direction `dir` that applies to `flow`, if any. */
export function lookupPolicy(policies: readonly XfrmPolicy[], dir: XfrmDir, flow: XfrmFlow): XfrmPolicy | undefined {
  let best: XfrmPolicy | undefined;
  for (const p of policies) {
    if (p.dir !== dir || !selectorMatch(p.sel, flow)) continue;
    if (best === undefined || p.priority < best.priority || (p.priority === best.priority && p.serial < best.serial)) best = p;
  }
  return best;
}

/** `xfrm_state_find` for one template of an out policy. */
export function findOutputState(states: readonly XfrmState[], tmpl: XfrmTemplate, flow: XfrmFlow): XfrmState | undefined {
  const transport = tmpl.mode === 'transport';
  const remote = transport && tmpl.dst === 0 ? flow.dst : tmpl.dst;
  const local = transport && tmpl.src === 0 ? flow.src : tmpl.src;
  let best: XfrmState | undefined;
  for (const x of states) {
    if (x.reqid !== tmpl.reqid || x.mode !== tmpl.mode || x.proto !== tmpl.proto) continue;
    if (tmpl.spi !== 0 && x.spi !== tmpl.spi) continue;
    if (x.dst !== remote || (x.src !== local && local !== 0 && x.src !== 0)) continue;
    if (!selectorMatch(x.sel, flow)) continue;
    if (best === undefined || x.serial > best.serial) best = x;
  }
  return best;
}

/** `xfrm_state_ok`: does state `x` on the secpath satisfy template `t`? */
function stateOk(t: XfrmTemplate, x: XfrmState): boolean {
  if (x.proto !== t.proto || (t.spi !== 0 && x.spi !== t.spi) || (t.reqid !== 0 && x.reqid !== t.reqid) || x.mode !== t.mode) return false;
  // xfrm_state_addr_cmp, for tunnels only: the template's endpoints must be the state's.
  return x.mode === 'transport' || (x.dst === t.dst && (t.src === 0 || x.src === t.src));
}

/** `xfrm_policy_ok`: where the next template may start in `sp`, or -1 when it is not satisfied. */
function templateOk(t: XfrmTemplate, sp: readonly XfrmState[], start: number): number {
  let result = start;
  if (t.optional) {
    if (t.mode === 'transport') return start;
  } else {
    result = -1;
  }
  for (let idx = start; idx < sp.length; idx++) {
    const x = sp[idx]!;
    if (stateOk(t, x)) return idx + 1;
    if (x.mode !== 'transport') break;
  }
  return result;
}

/**
 * The template part of `__xfrm_policy_check` for an allow policy: undefined when the secpath
 * satisfies the templates, else why not.
 */
export function checkInboundTemplates(policy: XfrmPolicy, sp: readonly XfrmState[]): string | undefined {
  let k = 0;
  for (let i = policy.templates.length - 1; i >= 0; i--) {
    k = templateOk(policy.templates[i]!, sp, k);
    if (k < 0) return sp.length === 0 ? 'a plaintext packet where the policy requires IPsec' : 'the states that decapsulated the packet do not match the policy templates';
  }
  for (let i = k; i < sp.length; i++) {
    if (sp[i]!.mode !== 'transport') return 'a tunnel-mode state no template accounts for';
  }
  return undefined;
}

/** A one-line description of a policy for trace records: `src A/P dst B/P dir D priority N`. */
export function policyText(p: XfrmPolicy): string {
  return `src ${formatCidr(p.sel.src)} dst ${formatCidr(p.sel.dst)} dir ${p.dir} priority ${p.priority}${p.action === 'block' ? ' action block' : ''}`;
}

/** A one-line description of a template for trace records. */
export function templateText(t: XfrmTemplate): string {
  return `tmpl src ${formatIpv4(t.src)} dst ${formatIpv4(t.dst)} proto ${t.proto === 50 ? 'esp' : t.proto} reqid ${t.reqid} mode ${t.mode}`;
}
