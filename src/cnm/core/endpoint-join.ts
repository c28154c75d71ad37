/**
 * Joining an endpoint to a sandbox and leaving it again: the driver calls, the container's
 * interface, routes, files and DNS, and which endpoint publishes the container's ports.
 *
 * Models: libnetwork `endpoint.go` `sbJoin` / `sbLeave` and `sandbox.go`
 * `populateNetworkResources` / `clearNetworkResources` (Docker 20.10). Join, as named steps that
 * undo each other when one fails:
 *
 *   attach to sandbox            another container is attached to the same network endpoint
 *   join priority                (JoinOptionPriority)
 *   driver join                  the driver names the device, gateway and routes (undo: Leave)
 *   update hosts and resolv.conf `<ip>\t<hostname>` appended (not on ingress/docker_gwbridge); updateDNS
 *   add to endpoint list         sorted (endpoint-order.ts); the old gateway endpoint noted
 *   start embedded DNS           once per sandbox, unless resolution is disabled
 *   add interface                moved in, renamed eth<n>, MAC, address, up
 *   static routes                next-hop routes from the driver
 *   default gateway              only if this endpoint is now the gateway endpoint
 *   revoke external connectivity on the previous gateway endpoint, if the gateway moved
 *   program external connectivity on this endpoint, if it is the new gateway endpoint and its
 *                                network is not internal (port publishing)
 *
 * Leave never fails once its checks pass (upstream logs driver errors): revoke (if this was the
 * gateway endpoint), driver Leave, interface back to the host, default route moved to the new
 * gateway endpoint, /etc/hosts records of the network deleted, the new gateway endpoint programmed.
 * Leaves out: docker_gwbridge (`needDefaultGW`/`setupDefaultGW`), networkDB table entries,
 * load-balancer endpoints, ingress redirect rules, IPv6 gateways.
 */
import { formatCidr } from '../../packet/index.js';
import type { JoinInfo } from '../driver-api.js';
import { err, forbidden, ok, type Result } from '../errors.js';
import type { Endpoint } from './endpoint.js';
import { GW_NETWORK_NAME } from './endpoint-order.js';
import type { FilesSnapshot } from './sandbox-files.js';
import type { Sandbox } from './sandbox.js';
import { runSteps, warn, when, type Step } from './steps.js';

export interface JoinOptions {
  /** `JoinOptionPriority`: a higher value sorts first (gateway endpoint election). */
  readonly priority?: number;
}

function freshJoinInfo(): JoinInfo {
  return { srcName: undefined, dstPrefix: undefined, gateway: undefined, staticRoutes: [], disableGatewayService: false };
}

/** `doUpdateHostsFile`. */
function updatesHostsFile(ep: Endpoint): boolean {
  return !ep.network.ingress && ep.network.name !== GW_NETWORK_NAME;
}

/** `ep.Join(sb, options)`. */
export function joinEndpoint(ep: Endpoint, sb: Sandbox, options: JoinOptions): Result<void> {
  const n = ep.network;
  const ctx = n.ctx;
  const d = n.driver;
  const op = `join endpoint ${ep.name} (${n.name}) to sandbox ${sb.id.slice(0, 12)}`;
  let files: FilesSnapshot | undefined;
  let previousGateway: Endpoint | undefined;
  let startedResolver = false;
  let gatewayChanged = false;
  let revoked: Endpoint | undefined;
  let programmed = false;
  const info = (): JoinInfo => ep.joinInfo ?? freshJoinInfo();
  const routes: JoinInfo['staticRoutes'] = [];
  const removeRoutes = (list: JoinInfo['staticRoutes']): void => {
    for (const r of list.splice(0)) if (r.nextHop !== undefined) sb.osl.removeStaticRoute(r.destination, r.nextHop);
  };

  const steps: (Step | undefined)[] = [
    {
      name: 'attach to sandbox',
      apply: () => {
        if (ep.sandboxId !== undefined) return forbidden('another container is attached to the same network endpoint');
        ep.sandboxId = sb.id;
        ep.joinInfo = freshJoinInfo();
        return ok(undefined);
      },
      undo: () => {
        ep.sandboxId = undefined;
        ep.joinInfo = undefined;
      },
    },
    when(options.priority !== undefined, {
      name: 'join priority',
      apply: () => {
        sb.setPriority(ep, options.priority ?? 0);
        return ok(undefined);
      },
      undo: () => sb.clearPriority(ep),
    }),
    {
      name: 'driver join',
      apply: () => d.join(n.id, ep.id, sb.ns, info(), sb.labels()),
      undo: () => void d.leave(n.id, ep.id),
    },
    {
      name: 'update /etc/hosts and resolv.conf',
      apply: () => {
        files = sb.files.snapshot();
        if (updatesHostsFile(ep)) sb.files.updateHostsFile(ep.ipText());
        sb.files.updateDNS(false);
        return ok(undefined);
      },
      undo: () => {
        if (files !== undefined) sb.files.restore(files);
      },
    },
    {
      name: 'add to sandbox endpoint list',
      apply: () => {
        previousGateway = sb.gatewayEndpoint();
        sb.addEndpoint(ep);
        return ok(undefined);
      },
      undo: () => sb.removeEndpoint(ep),
    },
    when(ep.needResolver(), {
      name: 'start embedded DNS',
      apply: () => {
        startedResolver = sb.startResolver(op);
        return ok(undefined);
      },
      undo: () => {
        if (startedResolver) sb.stopResolver();
      },
    }),
    {
      name: 'add interface',
      apply: () => {
        const { srcName, dstPrefix } = info();
        if (srcName === undefined || srcName === '') return ok(undefined);
        const added = sb.osl.addInterface(srcName, dstPrefix ?? '', {
          address: ep.address,
          mac: ep.mac,
          routes: info()
            .staticRoutes.filter(r => r.nextHop === undefined)
            .map(r => r.destination),
        });
        if (!added.ok) return err('system', `failed to add interface ${srcName} to sandbox: ${added.error.message}`);
        ep.iface = added.value;
        return ok(undefined);
      },
      undo: () => {
        if (ep.iface !== undefined) sb.osl.removeInterface(ep.iface);
        ep.iface = undefined;
      },
    },
    {
      name: 'static routes',
      apply: () => {
        for (const r of info().staticRoutes) {
          if (r.nextHop === undefined) continue;
          const added = sb.osl.addStaticRoute(r.destination, r.nextHop);
          if (!added.ok) {
            removeRoutes(routes);
            return err('system', `failed to add static route ${formatCidr(r.destination)}: ${added.error.message}`);
          }
          routes.push(r);
        }
        return ok(undefined);
      },
      undo: () => removeRoutes(routes),
    },
    {
      name: 'default gateway',
      apply: () => {
        if (sb.gatewayEndpoint() !== ep) return ok(undefined);
        gatewayChanged = true;
        return sb.updateGateway(ep);
      },
      undo: () => {
        if (gatewayChanged) sb.updateGateway(previousGateway);
      },
    },
    {
      name: 'revoke external connectivity',
      apply: () => {
        if (sb.gatewayEndpoint() === previousGateway || previousGateway === undefined) return ok(undefined);
        const old = previousGateway;
        const r = old.network.driver.revokeExternalConnectivity(old.network.id, old.id);
        if (!r.ok) return err('system', `driver failed revoking external connectivity on endpoint ${old.name} (${old.id}): ${r.error.message}`);
        revoked = old;
        return ok(undefined);
      },
      undo: () => {
        if (revoked !== undefined) revoked.network.driver.programExternalConnectivity(revoked.network.id, revoked.id, sb.labels());
      },
    },
    {
      name: 'program external connectivity',
      apply: () => {
        if (sb.gatewayEndpoint() === previousGateway || n.internal) return ok(undefined);
        const r = d.programExternalConnectivity(n.id, ep.id, sb.labels());
        if (!r.ok) return err('system', `driver failed programming external connectivity on endpoint ${ep.name} (${ep.id}): ${r.error.message}`);
        programmed = true;
        return ok(undefined);
      },
      undo: () => {
        if (programmed) d.revokeExternalConnectivity(n.id, ep.id);
      },
    },
  ];
  return runSteps(ctx.journal, op, steps);
}

/** `ep.Leave(sb)` (`sbLeave`). */
export function leaveEndpoint(ep: Endpoint, sb: Sandbox): Result<void> {
  if (ep.sandboxId === undefined) return forbidden('cannot leave endpoint with no attached sandbox');
  if (ep.sandboxId !== sb.id) return forbidden(`unexpected sandbox ID in leave request. Expected ${ep.sandboxId}. Got ${sb.id}`);
  const n = ep.network;
  const ctx = n.ctx;
  const op = `leave endpoint ${ep.name} (${n.name}) from sandbox ${sb.id.slice(0, 12)}`;
  const wasGateway = sb.gatewayEndpoint() === ep;
  return runSteps(ctx.journal, op, [
    {
      name: 'detach from sandbox',
      apply: () => {
        ep.sandboxId = undefined;
        return ok(undefined);
      },
    },
    wasGateway ? warn(ctx.journal, op, 'revoke external connectivity', () => n.driver.revokeExternalConnectivity(n.id, ep.id)) : undefined,
    warn(ctx.journal, op, 'driver leave', () => n.driver.leave(n.id, ep.id)),
    warn(ctx.journal, op, 'clear network resources', () => sb.clearNetworkResources(ep)),
    {
      name: 'delete /etc/hosts entries',
      apply: () => {
        sb.files.deleteHostsEntries(n.records.hostsRecordsExcept(ep.name));
        ep.joinInfo = undefined;
        return ok(undefined);
      },
    },
    wasGateway
      ? warn(ctx.journal, op, 'program external connectivity on the new gateway endpoint', () => {
          const next = sb.gatewayEndpoint();
          if (next === undefined) return ok(undefined);
          return next.network.driver.programExternalConnectivity(next.network.id, next.id, sb.labels());
        })
      : undefined,
  ]);
}
