/**
 * One conntrack entry (`struct nf_conn`) and the reference a packet holds to it (`skb->_nfct`
 * with its `ctinfo`).
 *
 * Models: `include/net/netfilter/nf_conntrack.h` (`tuplehash[ORIGINAL/REPLY]`, `status`, `mark`,
 * `timeout`), `include/uapi/linux/netfilter/nf_conntrack_common.h` (`enum ip_conntrack_info`:
 * ESTABLISHED, RELATED, NEW, ESTABLISHED_REPLY, RELATED_REPLY; `IPS_*` status bits:
 * SEEN_REPLY, ASSURED, CONFIRMED, SRC_NAT, DST_NAT, SRC_NAT_DONE, DST_NAT_DONE, DYING), the TCP
 * private part (`struct ip_ct_tcp`: state, last index/direction/end, per-direction flags) and
 * the NAT extension's `masq_index` (`struct nf_conn_nat`).
 *
 * The ctinfo a packet carries is kept beside the entry in `CtRef`, stored in `skb.ct`; a packet
 * marked by `-j CT --notrack` carries `CT_UNTRACKED`; a packet without either has state INVALID
 * for the state/conntrack matches.
 * Leaves out: zones, helpers and expectations (so RELATED comes only from ICMP errors and from
 * answers the kernel attaches to an entry, `nf_ct_attach`),
 * accounting counters, labels, secmark, timestamps.
 * Invariants: `orig` never changes after creation; `reply` changes only while the entry is
 * unconfirmed (NAT setup); a confirmed entry is in its table's hash under both tuples until it
 * expires or is killed.
 */
import type { Instant } from '../../engine/index.js';
import type { Skb } from '../skb.js';
import type { CtDir, TcpCtState, TcpIndex } from './tcp-state.js';
import type { CtTuple } from './tuple.js';

/** `enum ip_conntrack_info`, in the model's words. */
export type CtInfo = 'new' | 'established' | 'related' | 'established-reply' | 'related-reply';

/** The state-match view of a packet (`-m state` / `-m conntrack --ctstate`). */
export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';

/** The TCP tracker's per-connection data (`struct ip_ct_tcp`), without window tracking. */
export interface TcpTrack {
  state: TcpCtState;
  lastIndex: TcpIndex;
  lastDir: CtDir;
  /** `last_end`: sequence number after the last ignored segment, to resync on its answer. */
  lastEnd: number;
  lastWin: number;
  /** `IP_CT_TCP_FLAG_CLOSE_INIT` per direction: that side sent the first FIN. */
  closeInit: { original: boolean; reply: boolean };
  /** `IP_CT_TCP_SIMULTANEOUS_OPEN`. */
  simultaneousOpen: boolean;
  /** `IP_CT_EXP_CHALLENGE_ACK`: a SYN was ignored in LAST_ACK, its challenge ACK must not close. */
  expectChallengeAck: boolean;
}

export class CtEntry {
  /** Creation order, for stable listings. */
  readonly id: number;
  readonly orig: CtTuple;
  reply: CtTuple;
  confirmed = false;
  seenReply = false;
  assured = false;
  /** Killed (expired, deleted, RST before a reply); no longer in the table. */
  dying = false;
  /** `IPS_SRC_NAT` / `IPS_DST_NAT`: the reply tuple differs from the inverted original. */
  srcNat = false;
  dstNat = false;
  /** `IPS_SRC_NAT_DONE` / `IPS_DST_NAT_DONE`: the binding of that manip type is decided. */
  srcNatDone = false;
  dstNatDone = false;
  /** `ct->mark` (CONNMARK, `conntrack -L` `mark=`). */
  mark = 0;
  /** When the entry expires (virtual time). */
  timeoutAt: Instant;
  readonly tcp: TcpTrack | undefined;
  /** `ct->proto.udp.stream_ts`: replies after this instant make a UDP flow a stream. */
  udpStreamAt: Instant = 0;
  /** `nf_conn_nat.masq_index`: the ifindex MASQUERADE chose the source from. */
  masqIfindex: number | undefined = undefined;
  /** The entry was created by loose TCP pickup (`IP_CT_TCP_FLAG_BE_LIBERAL`). */
  pickedUp = false;

  constructor(id: number, orig: CtTuple, reply: CtTuple, now: Instant, tcp: TcpTrack | undefined) {
    this.id = id;
    this.orig = orig;
    this.reply = reply;
    this.timeoutAt = now;
    this.tcp = tcp;
  }

  /** The tuple of one direction (`ct->tuplehash[dir].tuple`). */
  tuple(dir: CtDir): CtTuple {
    return dir === 'original' ? this.orig : this.reply;
  }
}

/** What `skb.ct` holds for a tracked packet: the entry and the packet's ctinfo. */
export class CtRef {
  constructor(
    readonly entry: CtEntry,
    readonly info: CtInfo,
  ) {}

  get dir(): CtDir {
    return this.info === 'established-reply' || this.info === 'related-reply' ? 'reply' : 'original';
  }

  get state(): CtState {
    switch (this.info) {
      case 'new':
        return 'NEW';
      case 'established':
      case 'established-reply':
        return 'ESTABLISHED';
      case 'related':
      case 'related-reply':
        return 'RELATED';
    }
  }
}

/** `nf_ct_set(skb, NULL, IP_CT_UNTRACKED)`: the mark `-j CT --notrack` leaves on a packet. */
export class CtUntracked {
  readonly untracked = true;
}

export const CT_UNTRACKED = new CtUntracked();

/** The conntrack reference of a packet, typed (`skb.ct` is opaque to the skb layer). */
export function ctOf(skb: Skb): CtRef | CtUntracked | undefined {
  const ct = skb.ct;
  if (ct instanceof CtRef || ct instanceof CtUntracked) return ct;
  return undefined;
}

/** The state the state/conntrack matches see for this packet. */
export function ctStateOf(skb: Skb): CtState {
  const ct = ctOf(skb);
  if (ct === undefined) return 'INVALID';
  if (ct instanceof CtUntracked) return 'UNTRACKED';
  return ct.state;
}
