/**
 * What every `ip OBJECT` handler of the iproute2 `ip` program shares: the namespace it works in
 * (`-n NETNS` switches it, as `netns_switch` does before anything else), the global options
 * (`-4`, `-d`, `-s`, `-br`, `-o`), the process to print through, and the registry `ip netns
 * exec` starts programs from; plus the device lookups and error printers the handlers use.
 *
 * Models: iproute2 `ip/ip.c` (globals `preferred_family`, `show_details`, `show_stats`,
 * `oneline`, `brief`; `-n` is `netns_switch`), `lib/ll_map.c` (`ll_name_to_index`), and how a
 * kernel refusal is printed: `lib/libnetlink.c` prints the extended-ack message as
 * `Error: <msg>.` when there is one, otherwise `RTNETLINK answers: <strerror>` (both already in
 * the error values of the device and IPv4 layers), and `ip` exits 2.
 * Leaves out: `-6` (IPv6 is not modelled: it selects nothing), `-j`, `-c`, `-batch`, `-force`.
 */
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import type { Process, ProgramRegistry } from '../process.js';
import { cannotFindDevice, die, type FamilyWord } from './cli-args.js';

export type IpFamily = 'unspec' | 'inet' | 'inet6' | 'link';

export interface IpOptions {
  family: IpFamily;
  details: number;
  stats: number;
  brief: boolean;
  oneline: boolean;
}

export interface IpContext {
  readonly proc: Process;
  readonly ns: NetNamespace;
  readonly opts: IpOptions;
  readonly registry: ProgramRegistry;
}

/** A kernel refusal as the device and IPv4 layers report it: the text iproute2 prints, its status. */
export interface KernelError {
  readonly ok: false;
  readonly error: string;
  readonly exitCode: number;
}

export type KernelResult<T> = { readonly ok: true; readonly value: T } | KernelError;

/** Unwraps a kernel answer, or prints its error and exits with its status. */
export function must<T>(result: KernelResult<T>): T {
  if (!result.ok) die(`${result.error}\n`, result.exitCode);
  return result.value;
}

/** The family word of parse errors: `inet` once `-4` was given. */
export function familyWord(ctx: IpContext): FamilyWord {
  return ctx.opts.family === 'inet' ? 'inet' : 'any valid';
}

/** `ll_name_to_index` for a `dev NAME` argument of a modify command. */
export function deviceArg(ns: NetNamespace, name: string): NetDevice {
  const dev = ns.device(name);
  if (dev === undefined) cannotFindDevice(name);
  return dev;
}

/** The listing filter's `Device "X" does not exist.` (exit 1). */
export function listDevice(ns: NetNamespace, name: string): NetDevice {
  const dev = ns.device(name);
  if (dev === undefined) die(`Device "${name}" does not exist.\n`, 1);
  return dev;
}

/** `Command "X" is unknown, try "ip OBJECT help".` (exit 255). */
export function unknownCommand(word: string, object: string): never {
  die(`Command "${word}" is unknown, try "ip ${object} help".\n`, 255);
}

/** Replaces the line breaks inside one record with `\` (`-o`, iproute2's `_SL_`). */
export function oneline(record: string): string {
  const body = record.endsWith('\n') ? record.slice(0, -1) : record;
  return `${body.split('\n').join('\\')}\n`;
}
