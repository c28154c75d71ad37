/**
 * The per-protocol parts of IPVS connections: TCP's state machine and timeouts, UDP's single
 * state, and the names `ipvsadm -Lnc` prints.
 *
 * Models: net/netfilter/ipvs/ip_vs_proto_tcp.c (`tcp_timeouts`, `tcp_state_name_table`,
 * `tcp_states` with its INPUT, OUTPUT and INPUT-ONLY halves, `tcp_state_idx`: RST before SYN
 * before FIN before ACK, `set_tcp_state`: a connection flagged NOOUTPUT (not masquerading) uses
 * the INPUT-ONLY table until a packet is seen in the output direction), ip_vs_proto_udp.c (one
 * state "UDP", 300 s), and the `--set tcp tcpfin udp` targets of `ip_vs_set_timeout` (the
 * ESTABLISHED, FIN_WAIT and UDP timeouts; 0 leaves a value unchanged).
 * Leaves out: the `secure_tcp` defense tables (`tcp_states_dos`), SCTP, AH/ESP.
 */
import { IPPROTO_TCP, IPPROTO_UDP, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../packet/index.js';
import { SECOND, type Duration } from '../../engine/index.js';

export const TCP_STATES = ['NONE', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'SYNACK'] as const;
export type TcpVsState = (typeof TCP_STATES)[number];

/** `IP_VS_TCP_S_*` indexes. */
const S = { NO: 0, ES: 1, SS: 2, SR: 3, FW: 4, TW: 5, CL: 6, CW: 7, LA: 8, LI: 9, SA: 10 } as const;

/** `tcp_timeouts` in seconds, indexed like TCP_STATES. */
export const TCP_TIMEOUTS_S: readonly number[] = [2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120];
export const UDP_TIMEOUT_S = 300;

const { ES: sES, SS: sSS, SR: sSR, FW: sFW, TW: sTW, CL: sCL, CW: sCW, LA: sLA, LI: sLI } = S;

/** `tcp_states`: [direction][syn, fin, ack, rst][current state] -> next state. */
const TCP_TABLE: readonly (readonly (readonly number[])[])[] = [
  // INPUT
  [
    [sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR],
    [sCL, sCW, sSS, sTW, sTW, sTW, sCL, sCW, sLA, sLI, sTW],
    [sCL, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES],
    [sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sSR],
  ],
  // OUTPUT
  [
    [sSS, sES, sSS, sSR, sSS, sSS, sSS, sSS, sSS, sLI, sSR],
    [sTW, sFW, sSS, sTW, sFW, sTW, sCL, sTW, sLA, sLI, sTW],
    [sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sLA, sES, sES],
    [sCL, sCL, sSS, sCL, sCL, sTW, sCL, sCL, sCL, sCL, sCL],
  ],
  // INPUT-ONLY
  [
    [sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR],
    [sCL, sFW, sSS, sTW, sFW, sTW, sCL, sCW, sLA, sLI, sTW],
    [sCL, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES],
    [sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL],
  ],
];

export const TCP_S_ESTABLISHED = S.ES;
export const TCP_S_FIN_WAIT = S.FW;
export const TCP_S_TIME_WAIT = S.TW;
export const TCP_S_CLOSE = S.CL;

/** `IP_VS_DIR_*`: a packet from the client (INPUT) or from the real server (OUTPUT). */
export type IpvsDir = 'input' | 'output';

/** `tcp_state_idx`: which row of the table a segment uses, or -1 (no flag of interest). */
function tcpStateIdx(flags: number): number {
  if ((flags & TCP_RST) !== 0) return 3;
  if ((flags & TCP_SYN) !== 0) return 0;
  if ((flags & TCP_FIN) !== 0) return 1;
  if ((flags & TCP_ACK) !== 0) return 2;
  return -1;
}

/**
 * `set_tcp_state` without the counters: the next state and whether the connection stays
 * NOOUTPUT. A segment without SYN/FIN/ACK/RST moves to CLOSE, as the kernel does.
 */
export function tcpNextState(state: number, dir: IpvsDir, flags: number, noOutput: boolean): { state: number; noOutput: boolean } {
  let table = dir === 'input' ? 0 : 1;
  let stillNoOutput = noOutput;
  if (noOutput) {
    if (dir === 'output') stillNoOutput = false;
    else table = 2;
  }
  const idx = tcpStateIdx(flags);
  const next = idx < 0 ? S.CL : TCP_TABLE[table]![idx]![state]!;
  return { state: next, noOutput: stillNoOutput };
}

/** The timeouts of one namespace (`pd->timeout_table`), changed by `ipvsadm --set`. */
export class ProtoTimeouts {
  readonly tcp: number[] = [...TCP_TIMEOUTS_S];
  udp = UDP_TIMEOUT_S;

  /** The timeout of `state` for `protocol`, as a duration. */
  of(protocol: number, state: number): Duration {
    if (protocol === IPPROTO_TCP) return (this.tcp[state] ?? 2) * SECOND;
    return this.udp * SECOND;
  }

  /** `ip_vs_set_timeout`: 0 leaves a value as it is. */
  set(tcp: number, tcpFin: number, udp: number): void {
    if (tcp !== 0) this.tcp[S.ES] = tcp;
    if (tcpFin !== 0) this.tcp[S.FW] = tcpFin;
    if (udp !== 0) this.udp = udp;
  }

  /** `ipvsadm -L --timeout`: ESTABLISHED, FIN_WAIT and UDP. */
  get(): { tcp: number; tcpFin: number; udp: number } {
    return { tcp: this.tcp[S.ES]!, tcpFin: this.tcp[S.FW]!, udp: this.udp };
  }
}

/** `ip_vs_proto_name`. */
export function protoName(protocol: number): string {
  switch (protocol) {
    case IPPROTO_TCP:
      return 'TCP';
    case IPPROTO_UDP:
      return 'UDP';
    case 0:
      return 'IP';
    default:
      return `IP_${protocol}`;
  }
}

/** `ip_vs_state_name`: templates say NONE, UDP says UDP, TCP its state. */
export function stateName(protocol: number, state: number, template: boolean): string {
  if (template) return 'NONE';
  if (protocol === IPPROTO_TCP) return TCP_STATES[state] ?? 'ERR!';
  if (protocol === IPPROTO_UDP) return 'UDP';
  return protocol === 0 ? 'NONE' : 'ERR!';
}

/** IPVS handles these transport protocols (`ip_vs_proto_data_get`). */
export function ipvsProtocol(protocol: number): boolean {
  return protocol === IPPROTO_TCP || protocol === IPPROTO_UDP;
}
