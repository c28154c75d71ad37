/**
 * Assembles one simulated Linux kernel on a host: each kernel module installs what it needs in
 * every namespace of the host (devices first, so `lo` is ifindex 1 everywhere, then IPv4, then
 * sockets and programs as their modules are added here).
 *
 * Models: the order of `pernet_operations` registration at boot (`loopback_net_ops` comes
 * first, `net/core/dev.c` `net_dev_init`), so a new namespace is set up the way Linux sets it up.
 * Leaves out: module loading on demand (br_netfilter, 8021q, ip_vs are treated as loaded).
 */
import type { Host } from './host.js';
import { installDevices } from './devices/index.js';
import { installIpv4 } from './ipv4/index.js';
import { installSocketLayer } from './sockets/index.js';
import { installVxlan } from './vxlan/index.js';

/** Installs every kernel module on `host`. Idempotent per module. */
export function installKernel(host: Host): void {
  installDevices(host);
  host.onNamespace(ns => {
    installIpv4(ns);
  });
  installSocketLayer(host);
  installVxlan(host);
}
