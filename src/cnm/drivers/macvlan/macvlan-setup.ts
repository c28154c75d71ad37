/**
 * The links the macvlan driver makes on the host: the 802.1Q sub-interface or dummy device a
 * network uses as its parent, and the macvlan child of each endpoint, all through the kernel's
 * iproute2-style link API as libnetwork makes them through netlink.
 *
 * Models: libnetwork `drivers/macvlan/macvlan_setup.go` (Docker 20.10):
 *
 *   createMacVlan(name, parent, mode)   parent must exist   the requested parent interface <p> was not found on the Docker host
 *                                       ip link add <name> link <p> type macvlan mode <m>
 *                                                           failed to create the macvlan port: <netlink error>
 *   createVlanLink("eth0.10")           no dot              invalid subinterface vlan name <n>, example formatting is eth0.10
 *                                       parseVlan           required interface name format is: name.vlan_id, ex. eth0.10 for vlan 10, instead received <n>
 *                                                           unable to parse a valid vlan id from: <v> (ex. eth0.10 for vlan 10)
 *                                                           -o parent interface does was not found on the host: <p>   (sic)
 *                                       1..4094             vlan id must be between 1-4094, received: <n>
 *                                       ip link add eth0.10 link eth0 type vlan id 10; ip link set eth0.10 up
 *   createDummyLink("dm-<id12>")        ip link add dm-<id12> type dummy; ip link set dm-<id12> up
 *   delVlanLink / delDummyLink          only a `<iface>.<vid>` VLAN / a dummy without a parent is deleted
 *
 * Leaves out: ipvlan (the same file's sibling driver), the `InitOSContext` thread pinning.
 */
import { linkAdd, linkDel, linkSetUp, type LinkError, type MacvlanMode, type NetNamespace } from '../../../kernel/index.js';
import { ok, system, type Result } from '../../errors.js';

/** `dummyPrefix`. */
export const DUMMY_PREFIX = 'dm-';
const VLAN_ID_MIN = 1;
const VLAN_ID_MAX = 4094;

/** `getDummyName(stringid.TruncateID(id))`. */
export function dummyName(networkId: string): string {
  return `${DUMMY_PREFIX}${networkId.slice(0, 12)}`;
}

/** A netlink error as Go prints it (`device or resource busy`), from iproute2's text. */
export function netlinkError(e: LinkError): string {
  const bare = e.error.replace(/^RTNETLINK answers: /, '').replace(/^Error: /, '').replace(/\.$/, '');
  return bare.charAt(0).toLowerCase() + bare.slice(1);
}

/** `parentExists`: a link of that name in the host's namespace. */
export function parentExists(ns: NetNamespace, name: string): boolean {
  return name !== '' && ns.device(name) !== undefined;
}

/** `parseVlan("eth0.10")`: the parent and the VLAN id, checked in upstream's order. */
export function parseVlan(ns: NetNamespace, linkName: string): Result<{ readonly parent: string; readonly vid: number }> {
  const split = linkName.split('.');
  if (split.length !== 2) return system(`required interface name format is: name.vlan_id, ex. eth0.10 for vlan 10, instead received ${linkName}`);
  const [parent, vidText] = split as [string, string];
  // strconv.Atoi: optional sign, decimal digits, nothing else.
  if (!/^[+-]?[0-9]+$/.test(vidText)) return system(`unable to parse a valid vlan id from: ${vidText} (ex. eth0.10 for vlan 10)`);
  if (!parentExists(ns, parent)) return system(`-o parent interface does was not found on the host: ${parent}`);
  return ok({ parent, vid: Number(vidText) });
}

/** `createVlanLink`: the sub-interface, created and brought up. */
export function createVlanLink(ns: NetNamespace, parentName: string): Result<void> {
  if (!parentName.includes('.')) return system(`invalid subinterface vlan name ${parentName}, example formatting is eth0.10`);
  const parsed = parseVlan(ns, parentName);
  if (!parsed.ok) return parsed;
  const { parent, vid } = parsed.value;
  if (vid > VLAN_ID_MAX || vid < VLAN_ID_MIN) return system(`vlan id must be between 1-4094, received: ${vid}`);
  const added = linkAdd(ns, { type: 'vlan', name: parentName, link: parent, id: vid });
  if (!added.ok) return system(`failed to create ${parentName} vlan link: ${netlinkError(added)}`);
  const up = linkSetUp(ns, added.value);
  if (!up.ok) return system(`failed to enable ${parentName} the macvlan parent link ${netlinkError(up)}`);
  return ok(undefined);
}

/** `delVlanLink`: only a name that parses as `<iface>.<vid>` and is a stacked device goes. */
export function delVlanLink(ns: NetNamespace, linkName: string): Result<void> {
  if (!linkName.includes('.')) return ok(undefined);
  const parsed = parseVlan(ns, linkName);
  if (!parsed.ok) return parsed;
  const dev = ns.device(linkName);
  if (dev === undefined) return system(`failed to find interface ${linkName} on the Docker host : Link not found`);
  if (dev.kind !== 'vlan' && dev.kind !== 'macvlan') return system(`interface ${linkName} does not appear to be a slave device: <nil>`);
  const del = linkDel(ns, dev);
  return del.ok ? ok(undefined) : system(`failed to delete  ${linkName} link: ${netlinkError(del)}`);
}

/** `createDummyLink`: the isolated parent of a network without `-o parent` (or `--internal`). */
export function createDummyLink(ns: NetNamespace, name: string): Result<void> {
  const added = linkAdd(ns, { type: 'dummy', name });
  if (!added.ok) return system(netlinkError(added));
  const up = linkSetUp(ns, added.value);
  return up.ok ? ok(undefined) : system(`failed to enable macvlan the macvlan parent link: ${netlinkError(up)}`);
}

/** `delDummyLink`. */
export function delDummyLink(ns: NetNamespace, name: string): Result<void> {
  const dev = ns.device(name);
  if (dev === undefined) return system(`failed to find link ${name} on the Docker host : Link not found`);
  if (dev.kind !== 'dummy') return system(`link ${name} is not a parent dummy interface`);
  const del = linkDel(ns, dev);
  return del.ok ? ok(undefined) : system(`failed to delete the dummy ${name} link: ${netlinkError(del)}`);
}

/** `createMacVlan`: the endpoint's macvlan child on the parent, in the host's namespace. */
export function createMacvlan(ns: NetNamespace, name: string, parent: string, mode: MacvlanMode): Result<string> {
  if (!parentExists(ns, parent)) return system(`the requested parent interface ${parent} was not found on the Docker host`);
  const added = linkAdd(ns, { type: 'macvlan', name, link: parent, mode });
  if (!added.ok) return system(`failed to create the macvlan port: ${netlinkError(added)}`);
  return ok(added.value.name);
}
