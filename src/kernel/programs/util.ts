/**
 * Small helpers the simulated programs share: socket ownership for `ss -p`, file access in the
 * process's file system, the `tool: message` error convention, and time formatting from virtual
 * nanoseconds.
 *
 * Models: busybox `bb_error_msg` ("applet: message" on stderr), the `%u.%03u` millisecond
 * format busybox prints round-trip times in.
 * Leaves out: everything a real libc would do.
 */
import type { Process } from '../process.js';
import type { SocketOwner, SocketTable } from '../sockets/index.js';
import { socketsOf } from '../sockets/index.js';

/** The process as the owner of a new socket (a fresh fd). */
export function ownerOf(proc: Process): SocketOwner {
  return { comm: proc.comm, pid: proc.pid, fd: proc.allocFd() };
}

export function socketsFor(proc: Process): SocketTable {
  return socketsOf(proc.ns);
}

/** `tool: message\n` on stderr, busybox and coreutils style. */
export function errLine(proc: Process, tool: string, message: string): void {
  proc.err(`${tool}: ${message}\n`);
}

/** Ends the process with `code` after printing `tool: message`. */
export function die(proc: Process, tool: string, message: string, code = 1): void {
  errLine(proc, tool, message);
  proc.exit(code);
}

/** Reads a file of the process's file system. */
export function readFile(proc: Process, path: string): string | undefined {
  return proc.fs.get(path);
}

/** Virtual nanoseconds as `%u.%03u` milliseconds (busybox ping and traceroute). */
export function msFixed3(ns: number): string {
  const us = Math.floor(ns / 1000);
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}`;
}

/** The program name a message is printed under: the applet name for busybox, argv[0] otherwise. */
export function toolName(proc: Process): string {
  return proc.comm === '' ? 'sh' : proc.comm;
}

/** Nanoseconds from (possibly fractional) seconds. */
export function secondsToNs(seconds: number): number {
  return Math.round(seconds * 1e9);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
