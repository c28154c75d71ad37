/**
 * The kernel layer's front door: the simulated Linux machines (hosts, namespaces, devices, IPv4,
 * sockets, netfilter, IPVS, xfrm), their programs, and views in the real tools' formats.
 */
export * from './skb.js';
export * from './device.js';
export * from './hooks.js';
export * from './sysctl.js';
export * from './netns.js';
export * from './host.js';
export * from './world.js';
export * from './process.js';
export * from './ipv4/index.js';
export * from './devices/index.js';
export * from './underlay/index.js';
export * from './stack.js';
export * from './sockets/index.js';
export * from './programs/index.js';
export * from './conntrack/index.js';
export * from './nfhooks/index.js';
export * from './xfrm/index.js';
export { runIptables, runIptablesSave, type IptablesContext, type XtOutput } from './netfilter/index.js';
export * from './tools/index.js';
export * from './vxlan/index.js';
