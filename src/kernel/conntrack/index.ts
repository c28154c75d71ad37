/**
 * Connection tracking and NAT of one network namespace: tuples, entries and the table
 * (`conntrackOf(ns)`), the conntrack hooks (`conntrackIn`, `conntrackConfirm`), NAT bindings and
 * header rewrites, and the `conntrack` command's listing. The netfilter glue (`../nfhooks`) calls
 * these at the hook priorities Linux uses.
 *
 * Models: `net/netfilter/nf_conntrack_*.c`, `net/netfilter/nf_nat_*.c`; see each file's header.
 */
export * from './tuple.js';
export * from './tcp-state.js';
export * from './entry.js';
export * from './table.js';
export * from './track.js';
export * from './nat.js';
export * from './listing.js';
