/**
 * IPVS, the kernel's layer-4 load balancer, per network namespace: virtual services and real
 * servers (`ipvsOf(ns)`), the schedulers, the connection table, the netfilter hooks the hook
 * glue registers (`IPVS_HOOK_OPS`) and the `ipvsadm` command (`runIpvsadm`).
 *
 * Models: net/netfilter/ipvs/*.c and ipvsadm(8) 1.31; see each file's header.
 */
export { hash32, hsiphashU32, siphash, gcd, type SipKey } from './hash.js';
export { SVC_F_SCHED1, SVC_F_SCHED2, SVC_F_SCHED3, usable, connOverhead, type SchedDest, type SchedFlow, type Scheduler } from './sched-dest.js';
export { SCHEDULER_NAMES, createScheduler, isSchedulerName, type SchedulerName, type SchedulerOptions } from './scheduler.js';
export { createRr } from './sched-rr.js';
export { createWrr } from './sched-wrr.js';
export { createLc, createWlc } from './sched-lc.js';
export { SH_TAB_BITS, SH_TAB_SIZE, shHashKey, shBuckets, createSh } from './sched-sh.js';
export { MH_PRIMES, MH_HASH1, MH_HASH2, mhTableSize, mhHashKey, mhLookupTable, createMh } from './sched-mh.js';
export { IpvsStats, EST_INTERVAL_NS, type IpvsCounters, type IpvsRates } from './stats.js';
export {
  IPPROTO_IP,
  SVC_F_PERSISTENT,
  SVC_F_ONEPACKET,
  DEFAULT_PERSISTENT_TIMEOUT,
  RealServer,
  VirtualService,
  serviceLabel,
  type FwdMethod,
  type ServiceKey,
  type DestParams,
  type ServiceParams,
} from './service.js';
export { TCP_STATES, TCP_TIMEOUTS_S, UDP_TIMEOUT_S, ProtoTimeouts, tcpNextState, protoName, stateName, type TcpVsState, type IpvsDir } from './proto.js';
export { ConnTable, IpvsConn, type ConnParams, type IpvsClock } from './conn-table.js';
export {
  IPVS_EXT_KEY,
  IPVS_CONN_TAB_SIZE,
  IPVS_SYSCTLS,
  IpvsState,
  createIpvsState,
  ipvsIfAny,
  type IpvsErrno,
  type IpvsResult,
  type ServiceSpec,
  type DestSpec,
} from './state.js';
export { ipvsOf } from './module.js';
export { ipvsInDecision, accountRequest, accountReply, type IpvsPacket, type IpvsInDecision } from './schedule.js';
export { ipvsNotrack, ipvsUpdateConntrack, usesConfirmedConntrack } from './nfct.js';
export { ipvsXmit, rewriteIp, flowText } from './xmit.js';
export { IPVS_HOOK_OPS, ipvsInHook, ipvsOutHook, ipvsMatchInfo, ipvsPacketOf, serviceText, type IpvsHookOp, type IpvsMatchInfo } from './hooks.js';
export { parseIpvsadm, IpvsadmExit, type IpvsadmEntry, type IpvsadmCmd } from './ipvsadm-args.js';
export { listAll, listService, listConnections, listTimeout, sortServices, sortDests, IPVS_VERSION, type ListFormat } from './ipvsadm-list.js';
export { runIpvsadm, ipvsStrerror, IPVSADM_VERSION, type IpvsadmResult } from './ipvsadm.js';
