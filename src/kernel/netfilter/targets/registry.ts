/**
 * The target extensions this iptables knows, by `-j` name, and the union of their data.
 *
 * Models: libxtables' loaded targets plus the standard verdicts (libxt_standard.c: ACCEPT, DROP,
 * QUEUE, RETURN). Any other `-j NAME` is taken as a chain, as iptables-nft does ("Contrary to
 * what iptables does, we assume that any jumpto is a custom chain jump", xtables.c), and fails
 * with `Chain 'NAME' does not exist` if there is no such chain.
 * Leaves out: NFLOG, NFQUEUE, TCPMSS, TOS, DSCP, TTL, CLASSIFY, NETMAP, SET, CHECKSUM and others.
 * Invariant: each `kind` of TargetData maps to one definition; NOTRACK shares CT's data.
 */
import type { TargetDef } from '../ext-def.js';
import { logTarget, type LogTarget } from './log.js';
import { connmarkTarget, markTarget, type ConnmarkTarget, type MarkTarget } from './mark.js';
import {
  dnatTarget,
  masqueradeTarget,
  redirectTarget,
  snatTarget,
  type DnatTarget,
  type MasqueradeTarget,
  type RedirectTarget,
  type SnatTarget,
} from './nat.js';
import { ctTarget, notrackTarget, traceTarget, type CtTarget, type TraceTarget } from './raw.js';
import { rejectTarget, type RejectTarget } from './reject.js';

export type TargetData =
  | RejectTarget
  | DnatTarget
  | SnatTarget
  | MasqueradeTarget
  | RedirectTarget
  | MarkTarget
  | ConnmarkTarget
  | LogTarget
  | TraceTarget
  | CtTarget;

export type TargetKind = TargetData['kind'];

const BY_NAME: Readonly<Record<string, TargetDef<TargetData>>> = {
  REJECT: rejectTarget as TargetDef<TargetData>,
  DNAT: dnatTarget as TargetDef<TargetData>,
  SNAT: snatTarget as TargetDef<TargetData>,
  MASQUERADE: masqueradeTarget as TargetDef<TargetData>,
  REDIRECT: redirectTarget as TargetDef<TargetData>,
  MARK: markTarget as TargetDef<TargetData>,
  CONNMARK: connmarkTarget as TargetDef<TargetData>,
  LOG: logTarget as TargetDef<TargetData>,
  TRACE: traceTarget as TargetDef<TargetData>,
  CT: ctTarget as TargetDef<TargetData>,
  NOTRACK: notrackTarget as TargetDef<TargetData>,
};

export const STANDARD_VERDICTS = ['ACCEPT', 'DROP', 'QUEUE', 'RETURN'] as const;
export type StandardVerdict = (typeof STANDARD_VERDICTS)[number];

export function targetDefByName(name: string): TargetDef<TargetData> | undefined {
  return Object.prototype.hasOwnProperty.call(BY_NAME, name) ? BY_NAME[name] : undefined;
}

/** The definition that saves and prints `d` (NOTRACK for an aliased CT). */
export function targetDefOf(d: TargetData): TargetDef<TargetData> {
  if (d.kind === 'CT' && d.alias) return BY_NAME['NOTRACK']!;
  return BY_NAME[d.kind]!;
}

/** The name written after `-j` for `d`. */
export function targetName(d: TargetData): string {
  return d.kind === 'CT' && d.alias ? 'NOTRACK' : d.kind;
}

/** Names a new chain may not take (`chain name may not clash with target name`). */
export function isTargetName(name: string): boolean {
  return (STANDARD_VERDICTS as readonly string[]).includes(name) || targetDefByName(name) !== undefined;
}
