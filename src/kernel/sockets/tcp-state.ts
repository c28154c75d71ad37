/**
 * TCP connection states, their names in `ss` and busybox `netstat`, the timer constants, and
 * sequence-number arithmetic.
 *
 * Models: RFC 9293 section 3.3.2 (the state diagram), `include/net/tcp_states.h`,
 * `include/net/tcp.h` (TCP_TIMEOUT_INIT 1 s, TCP_RTO_MIN 200 ms, TCP_RTO_MAX 120 s,
 * TCP_TIMEWAIT_LEN), the sysctls `tcp_syn_retries` (6: the SYN goes at 0, 1, 3, 7, 15, 31 and
 * 63 s and connect fails with ETIMEDOUT at 127 s), `tcp_synack_retries` (5) and `tcp_retries2`
 * (15), iproute2 `misc/ss.c` `sstate_name`, busybox `networking/netstat.c` `tcp_state[]`.
 * TIME_WAIT is kept short (`TIME_WAIT_NS`, 1 s instead of Linux's 60 s) so a finished exchange
 * leaves no long-lived timers behind; its behaviour (re-ACKing a retransmitted FIN, holding the
 * 4-tuple) is Linux's.
 */
import { MS, SECOND } from '../../engine/index.js';

export type TcpState =
  | 'CLOSED'
  | 'LISTEN'
  | 'SYN_SENT'
  | 'SYN_RECV'
  | 'ESTABLISHED'
  | 'FIN_WAIT_1'
  | 'FIN_WAIT_2'
  | 'CLOSE_WAIT'
  | 'CLOSING'
  | 'LAST_ACK'
  | 'TIME_WAIT';

export const TCP_TIMEOUT_INIT = 1 * SECOND;
export const TCP_RTO_MIN = 200 * MS;
export const TCP_RTO_MAX = 120 * SECOND;
export const TCP_SYN_RETRIES = 6;
export const TCP_SYNACK_RETRIES = 5;
export const TCP_RETRIES2 = 15;
export const TIME_WAIT_NS = 1 * SECOND;
/** The window every segment advertises (Linux's first window for MSS 1460, without scaling). */
export const TCP_WINDOW = 64240;
/** RFC 9293 default MSS when a SYN carries no MSS option. */
export const TCP_DEFAULT_MSS = 536;

/** `ss` state column (`sstate_name`). */
export function ssStateName(state: TcpState): string {
  switch (state) {
    case 'CLOSED':
      return 'UNCONN';
    case 'LISTEN':
      return 'LISTEN';
    case 'SYN_SENT':
      return 'SYN-SENT';
    case 'SYN_RECV':
      return 'SYN-RECV';
    case 'ESTABLISHED':
      return 'ESTAB';
    case 'FIN_WAIT_1':
      return 'FIN-WAIT-1';
    case 'FIN_WAIT_2':
      return 'FIN-WAIT-2';
    case 'CLOSE_WAIT':
      return 'CLOSE-WAIT';
    case 'CLOSING':
      return 'CLOSING';
    case 'LAST_ACK':
      return 'LAST-ACK';
    case 'TIME_WAIT':
      return 'TIME-WAIT';
  }
}

/** busybox `netstat` state column (`tcp_state[]`). */
export function netstatStateName(state: TcpState): string {
  switch (state) {
    case 'CLOSED':
      return 'CLOSE';
    case 'LISTEN':
      return 'LISTEN';
    case 'SYN_SENT':
      return 'SYN_SENT';
    case 'SYN_RECV':
      return 'SYN_RECV';
    case 'ESTABLISHED':
      return 'ESTABLISHED';
    case 'FIN_WAIT_1':
      return 'FIN_WAIT1';
    case 'FIN_WAIT_2':
      return 'FIN_WAIT2';
    case 'CLOSE_WAIT':
      return 'CLOSE_WAIT';
    case 'CLOSING':
      return 'CLOSING';
    case 'LAST_ACK':
      return 'LAST_ACK';
    case 'TIME_WAIT':
      return 'TIME_WAIT';
  }
}

/** States in which the connection is synchronized (RFC 9293: a segment is checked for acceptability). */
export function isSynchronized(state: TcpState): boolean {
  return state !== 'CLOSED' && state !== 'LISTEN' && state !== 'SYN_SENT';
}

/** Sequence numbers are compared modulo 2^32 (RFC 9293 section 3.4). */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}
