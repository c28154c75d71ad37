/**
 * The underlay: the simulated physical network between hosts (learning switches, wires with
 * delay, host NICs cabled to switch ports) and its faults (link down, loss, delay, partition).
 *
 * Models: a lab L2 network; see `switch.ts`, `wire.ts`, `underlay.ts`, `faults.ts`.
 * Leaves out: routers as special objects (a router is a Host with two NICs and ip_forward=1).
 */
export { DEFAULT_WIRE_DELAY, Wire, type WireEnd, type WireOptions } from './wire.js';
export { Switch, SwitchPort } from './switch.js';
export { Underlay, UNDERLAY_EXT_KEY, underlay, connectHost, connectNics, switchPortOf, type ConnectOptions } from './underlay.js';
export * from './faults.js';
