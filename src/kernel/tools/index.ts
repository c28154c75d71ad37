/**
 * The iproute2-family programs of the simulated machines: `ip` (iproute2 6.x on hosts, busybox
 * 1.35's applet in busybox userlands), `bridge`, `brctl` (bridge-utils 1.7) and `sysctl`
 * (procps-ng 4 / busybox), plus the views they print, for scenario expectations and the CNM
 * layer's `docker exec` and inspection output.
 *
 * Models: iproute2 `ip/`, `bridge/`, `lib/`; bridge-utils `brctl/`; procps-ng `sysctl.c`;
 * busybox `networking/libiproute/`; see each file's header.
 * Leaves out: IPv6, JSON output, batch mode; see each file.
 */
import type { ProgramRegistry } from '../process.js';
import { bridgeProgram } from './bridge-command.js';
import { brctlProgram } from './brctl.js';
import { ipProgram } from './ip-command.js';
import { sysctlProgram } from './sysctl-command.js';

export { ipMain, ipProgram, IP_USAGE } from './ip-command.js';
export { busyboxIp, BUSYBOX_IP_USAGE } from './busybox-ip.js';
export { bridgeProgram, bridgeFdbList, bridgeLinkList, BRIDGE_USAGE } from './bridge-command.js';
export { brctlProgram, brctlShow, BRCTL_USAGE } from './brctl.js';
export { sysctlProgram } from './sysctl-command.js';
export { ipAddrList, formatAddrRecord } from './ip-addr.js';
export { ipRouteList } from './ip-route.js';
export { ipNeighList } from './ip-neigh.js';
export { ipRuleList, formatRule } from './ip-rule.js';
export { ipNetnsList, peekNetnsId } from './ip-netns.js';
export { formatRouteLine, formatRouteGetAnswer, tablesInDumpOrder, type RoutePrintFilter } from './route-view.js';
export {
  formatLinkBlock,
  formatLinkBrief,
  formatLinkStats,
  installToolsState,
  ipOperState,
  linkFlagWords,
  setTxQueueLen,
  txQueueLen,
  type IpOperState,
  type LinkPrintOptions,
} from './link-view.js';
export type { IpContext, IpOptions } from './ip-context.js';

/** Registers `ip`, `bridge`, `brctl` and `sysctl`; `ip netns exec` runs programs from `registry`. */
export function registerTools(registry: ProgramRegistry): void {
  registry.register('ip', ipProgram(registry));
  registry.register('bridge', bridgeProgram);
  registry.register('brctl', brctlProgram);
  registry.register('sysctl', sysctlProgram);
}
export { registerNetfilterTools } from './netfilter-programs.js';
