/**
 * The TCP tracker's state machine: the internal states `conntrack -L` prints, the transition for
 * a segment seen in one direction, and the timeout of each state.
 *
 * Models: `net/netfilter/nf_conntrack_proto_tcp.c` (Linux 6.x): `tcp_conntrack_names`,
 * `tcp_timeouts`, `get_conntrack_index` (RST, then SYN/SYN-ACK, then FIN, then ACK), and the
 * `tcp_conntracks[dir][index][state]` table, written below as one switch over the state with the
 * table's column for each direction. `tcp_new` uses the NONE column of the ORIGINAL direction:
 * a SYN starts SYN_SENT; a lone ACK is picked up as ESTABLISHED when `nf_conntrack_tcp_loose`
 * is 1 (the default); SYN-ACK, FIN, RST and no-flag segments are INVALID.
 *
 *   ORIGINAL  sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2
 *   syn       sSS  sSS  sIG  sIG  sIG  sIG  sIG  sSS  sSS  sS2
 *   synack    sIV  sIV  sSR  sIV  sIV  sIV  sIV  sIV  sIV  sSR
 *   fin       sIV  sIV  sFW  sFW  sLA  sLA  sLA  sTW  sCL  sIV
 *   ack       sES  sIV  sES  sES  sCW  sCW  sTW  sTW  sCL  sIV
 *   rst       sIV  sCL  sCL  sCL  sCL  sCL  sCL  sCL  sCL  sCL
 *   REPLY
 *   syn       sIV  sS2  sIV  sIV  sIV  sIV  sIV  sSS  sIV  sS2
 *   synack    sIV  sSR  sIG  sIG  sIG  sIG  sIG  sIG  sIG  sSR
 *   fin       sIV  sIV  sFW  sFW  sLA  sLA  sLA  sTW  sCL  sIV
 *   ack       sIV  sIG  sSR  sES  sCW  sCW  sTW  sTW  sCL  sIG
 *   rst       sIV  sCL  sCL  sCL  sCL  sCL  sCL  sCL  sCL  sCL
 *   (a segment with none of SYN/FIN/ACK/RST is sIV everywhere)
 *
 * Leaves out: window tracking (`tcp_in_window`): every segment is taken as in window, as with
 * `nf_conntrack_tcp_be_liberal=1`; the retransmission and unacknowledged-data timeouts that
 * depend on it; SYN proxy.
 */
import { SECOND, type Duration } from '../../engine/index.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../packet/index.js';

export type TcpCtState =
  | 'NONE'
  | 'SYN_SENT'
  | 'SYN_RECV'
  | 'ESTABLISHED'
  | 'FIN_WAIT'
  | 'CLOSE_WAIT'
  | 'LAST_ACK'
  | 'TIME_WAIT'
  | 'CLOSE'
  | 'SYN_SENT2';

/** The table's two special results: `sIG` (let through, keep the state) and `sIV` (invalid). */
export type TcpNext = TcpCtState | 'IGNORE' | 'INVALID';

/** `enum tcp_bit_set`. */
export type TcpIndex = 'syn' | 'synack' | 'fin' | 'ack' | 'rst' | 'none';

export type CtDir = 'original' | 'reply';

/** `get_conntrack_index`. */
export function tcpIndex(flags: number): TcpIndex {
  if ((flags & TCP_RST) !== 0) return 'rst';
  if ((flags & TCP_SYN) !== 0) return (flags & TCP_ACK) !== 0 ? 'synack' : 'syn';
  if ((flags & TCP_FIN) !== 0) return 'fin';
  if ((flags & TCP_ACK) !== 0) return 'ack';
  return 'none';
}

/** `tcp_error`'s `tcp_valid_flags`: FIN/SYN/RST/ACK/URG combinations (PSH, ECE, CWR always allowed). */
export function tcpFlagsValid(flags: number): boolean {
  const f = flags & 0x37; // FIN SYN RST ACK URG, without PSH (0x08)
  switch (f) {
    case 0x02: // SYN
    case 0x22: // SYN|URG
    case 0x12: // SYN|ACK
    case 0x04: // RST
    case 0x14: // RST|ACK
    case 0x11: // FIN|ACK
    case 0x31: // FIN|ACK|URG
    case 0x10: // ACK
    case 0x30: // ACK|URG
      return true;
    default:
      return false;
  }
}

type Row = Readonly<Record<Exclude<TcpIndex, 'none'>, TcpNext>>;

function pick(row: Row, index: TcpIndex): TcpNext {
  return index === 'none' ? 'INVALID' : row[index];
}

/** `tcp_conntracks[dir][index][state]`. */
export function tcpTransition(state: TcpCtState, dir: CtDir, index: TcpIndex): TcpNext {
  const orig = dir === 'original';
  switch (state) {
    case 'NONE':
      // sNO: "Initialize a new connection" on SYN; a lone ACK is "Assumed" ESTABLISHED (loose
      // pickup); the reply direction is "Never reached" for a new entry.
      return orig ? pick({ syn: 'SYN_SENT', synack: 'INVALID', fin: 'INVALID', ack: 'ESTABLISHED', rst: 'INVALID' }, index) : 'INVALID';
    case 'SYN_SENT':
      // sSS: retransmitted SYN stays; "Client can't send SYN and then SYN/ACK"; the reply's
      // SYN-ACK is the "Standard open", its SYN a "Simultaneous open"; a reply ACK "Might be a
      // half-open connection" and is ignored.
      return orig
        ? pick({ syn: 'SYN_SENT', synack: 'INVALID', fin: 'INVALID', ack: 'INVALID', rst: 'CLOSE' }, index)
        : pick({ syn: 'SYN_SENT2', synack: 'SYN_RECV', fin: 'INVALID', ack: 'IGNORE', rst: 'CLOSE' }, index);
    case 'SYN_RECV':
      // sSR: the client's ACK means "Established state is reached"; a FIN means "Close started";
      // a reply ACK "Might answer late resent SYN"; a retransmitted SYN-ACK is ignored.
      return orig
        ? pick({ syn: 'IGNORE', synack: 'SYN_RECV', fin: 'FIN_WAIT', ack: 'ESTABLISHED', rst: 'CLOSE' }, index)
        : pick({ syn: 'INVALID', synack: 'IGNORE', fin: 'FIN_WAIT', ack: 'SYN_RECV', rst: 'CLOSE' }, index);
    case 'ESTABLISHED':
      // sES: "SYNs in window outside the SYN_SENT state are errors" (ignored; the receiver
      // answers with RST); a FIN in either direction starts the close.
      return orig
        ? pick({ syn: 'IGNORE', synack: 'INVALID', fin: 'FIN_WAIT', ack: 'ESTABLISHED', rst: 'CLOSE' }, index)
        : pick({ syn: 'INVALID', synack: 'IGNORE', fin: 'FIN_WAIT', ack: 'ESTABLISHED', rst: 'CLOSE' }, index);
    case 'FIN_WAIT':
      // sFW: "FIN seen in both directions, waiting for the last ACK"; an ACK is the "Normal
      // close request answered by ACK".
      return orig
        ? pick({ syn: 'IGNORE', synack: 'INVALID', fin: 'LAST_ACK', ack: 'CLOSE_WAIT', rst: 'CLOSE' }, index)
        : pick({ syn: 'INVALID', synack: 'IGNORE', fin: 'LAST_ACK', ack: 'CLOSE_WAIT', rst: 'CLOSE' }, index);
    case 'CLOSE_WAIT':
      // sCW: the second FIN moves to LAST_ACK; ACKs keep CLOSE_WAIT.
      return orig
        ? pick({ syn: 'IGNORE', synack: 'INVALID', fin: 'LAST_ACK', ack: 'CLOSE_WAIT', rst: 'CLOSE' }, index)
        : pick({ syn: 'INVALID', synack: 'IGNORE', fin: 'LAST_ACK', ack: 'CLOSE_WAIT', rst: 'CLOSE' }, index);
    case 'LAST_ACK':
      // sLA: "Last ACK detected" moves to TIME_WAIT; a FIN is a "Retransmitted FIN".
      return orig
        ? pick({ syn: 'IGNORE', synack: 'INVALID', fin: 'LAST_ACK', ack: 'TIME_WAIT', rst: 'CLOSE' }, index)
        : pick({ syn: 'INVALID', synack: 'IGNORE', fin: 'LAST_ACK', ack: 'TIME_WAIT', rst: 'CLOSE' }, index);
    case 'TIME_WAIT':
      // sTW: a SYN is a "Reopened connection (RFC 1122)", from either side ("server may have
      // switched role"); retransmitted FIN/ACK stay.
      return orig
        ? pick({ syn: 'SYN_SENT', synack: 'INVALID', fin: 'TIME_WAIT', ack: 'TIME_WAIT', rst: 'CLOSE' }, index)
        : pick({ syn: 'SYN_SENT', synack: 'IGNORE', fin: 'TIME_WAIT', ack: 'TIME_WAIT', rst: 'CLOSE' }, index);
    case 'CLOSE':
      // sCL: the client may reopen with a SYN; everything else stays closed.
      return orig
        ? pick({ syn: 'SYN_SENT', synack: 'INVALID', fin: 'CLOSE', ack: 'CLOSE', rst: 'CLOSE' }, index)
        : pick({ syn: 'INVALID', synack: 'IGNORE', fin: 'CLOSE', ack: 'CLOSE', rst: 'CLOSE' }, index);
    case 'SYN_SENT2':
      // sS2 (simultaneous open): "Late retransmitted SYN" stays; "SYN/ACK sent to SYN2 in
      // simultaneous open" moves to SYN_RECV; an ACK is invalid (orig) or ignored (reply).
      return orig
        ? pick({ syn: 'SYN_SENT2', synack: 'SYN_RECV', fin: 'INVALID', ack: 'INVALID', rst: 'CLOSE' }, index)
        : pick({ syn: 'SYN_SENT2', synack: 'SYN_RECV', fin: 'INVALID', ack: 'IGNORE', rst: 'CLOSE' }, index);
    default: {
      const never: never = state;
      throw new Error(`unknown TCP conntrack state ${String(never)}`);
    }
  }
}

/** `tcp_timeouts` (seconds), plus the UNACK value used for a picked-up connection without a reply. */
const TCP_TIMEOUT_SECONDS: Readonly<Record<TcpCtState, number>> = {
  NONE: 0,
  SYN_SENT: 120,
  SYN_RECV: 60,
  ESTABLISHED: 432000,
  FIN_WAIT: 120,
  CLOSE_WAIT: 60,
  LAST_ACK: 30,
  TIME_WAIT: 120,
  CLOSE: 10,
  SYN_SENT2: 120,
};

/** `timeouts[TCP_CONNTRACK_UNACK]` (5 minutes). */
export const TCP_TIMEOUT_UNACK: Duration = 300 * SECOND;

export function tcpTimeout(state: TcpCtState): Duration {
  return TCP_TIMEOUT_SECONDS[state] * SECOND;
}
