/**
 * The xfrm module's front door: IPsec ESP (AES-GCM, RFC 4106) in transport and tunnel mode,
 * per-namespace states and policies, the output transform and input decapsulation on the IPv4
 * path, and the inbound policy check. `xfrmOf(ns)` is the iproute2-shaped API (`stateAdd`,
 * `policyAdd`, ...); the `ip xfrm` program lives with the other tools.
 * See each file's header for the Linux source it follows.
 */
export * from './errors.js';
export * from './selector.js';
export * from './state.js';
export * from './policy.js';
export * from './netns-xfrm.js';
export * from './transform.js';
export { xfrmLookup, xfrmOutput } from './output.js';
export { xfrm4Rcv, xfrmPolicyCheckIn } from './input.js';
export * from './install.js';
