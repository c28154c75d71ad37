/**
 * The IPv4 module's front door inside the kernel layer: addresses, routing (tables, rules,
 * lookups), the neighbour table and ARP, the receive/forward/output paths and ICMP.
 * See each file's header for the Linux source it follows.
 */
export * from './errors.js';
export * from './scope.js';
export * from './addresses.js';
export * from './route-table.js';
export * from './rules.js';
export * from './fib.js';
export * from './address-routes.js';
export * from './source-select.js';
export * from './route-lookup.js';
export * from './neighbour.js';
export * from './arp.js';
export * from './icmp.js';
export * from './fragments.js';
export * from './output.js';
export * from './forward.js';
export * from './input.js';
export * from './state.js';
export * from './stack.js';
export * from './route-get.js';
export * from './format.js';
