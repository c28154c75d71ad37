/**
 * The simulated userland: the programs an `exec:` step runs (`ping`, `traceroute`, `nc`,
 * `wget`, `curl`, `httpd`, `nslookup`, `dig`, `cat`, `hostname`, `echo`, `sleep`, `tcpdump`,
 * `ss`, `netstat`, `busybox APPLET`), and the servers other layers start in a namespace as a
 * process would (`startHttpServer`, `startDnsServer`) with the stub resolver they share.
 *
 * Models: busybox 1.35 inside containers, iputils/curl/BIND/iproute2/tcpdump on hosts; see
 * each file's header. Programs are callback-style on the engine clock (process.ts).
 * Leaves out: a shell (no pipes, redirections or variables).
 */
import { ProgramRegistry, type Process, type Program } from '../process.js';
import { cat, echo, falseProgram, hostname, netstat, sleep, ss, trueProgram } from './basic.js';
import { curl } from './curl.js';
import { dig } from './dig.js';
import { httpd } from './httpd.js';
import { nc } from './nc.js';
import { nslookup } from './nslookup.js';
import { ping } from './ping.js';
import { tcpdump } from './tcpdump.js';
import { traceroute } from './traceroute.js';
import { wget } from './wget.js';

export { resolveHost, parseResolvConf, lookupHostsFile, searchCandidates, dnsOf, type ResolvConf, type ResolveResult } from './resolver.js';
export {
  startHttpServer,
  parseHttpUrl,
  serializeResponse,
  REASONS,
  type HttpHandler,
  type HttpRequest,
  type HttpResponse,
  type HttpServer,
  type HttpServerOptions,
  type HttpUrl,
} from './http.js';
export * from './dns-server.js';
export { busyboxHttpdResponse, httpDate } from './httpd.js';
export { capturedFiles, parseFilter, timeOfDay } from './tcpdump.js';

/** A program body given its own argv (argv[0] is the applet name, also under `busybox APPLET`). */
export type Applet = (proc: Process, argv: readonly string[]) => void;

/** The applets, by name. */
export const APPLETS: Readonly<Record<string, Applet>> = {
  ping,
  traceroute,
  nc,
  wget,
  curl,
  httpd,
  nslookup,
  dig,
  cat,
  hostname,
  echo,
  sleep,
  true: trueProgram,
  false: falseProgram,
  tcpdump,
  ss,
  netstat,
};

/** busybox's own applets (what `busybox APPLET` accepts). */
const BUSYBOX_APPLETS = new Set(['ping', 'traceroute', 'nc', 'wget', 'httpd', 'nslookup', 'cat', 'hostname', 'echo', 'sleep', 'true', 'false', 'netstat']);

/** `busybox APPLET ARGS`: the multi-call binary. */
export function busybox(proc: Process, argv: readonly string[]): void {
  const name = argv[1];
  if (name === undefined || name === '--help') {
    proc.out(`BusyBox v1.35.0 (Debian 1:1.35.0-4+b3) multi-call binary.\nBusyBox is copyrighted by many authors between 1998-2015.\nLicensed under GPLv2. See source distribution for detailed\ncopyright notices.\n\nUsage: busybox [function [arguments]...]\n   or: busybox --list\n   or: function [arguments]...\n`);
    proc.exit(0);
    return;
  }
  if (name === '--list') {
    proc.out([...BUSYBOX_APPLETS].sort().map(a => `${a}\n`).join(''));
    proc.exit(0);
    return;
  }
  const applet = BUSYBOX_APPLETS.has(name) ? APPLETS[name] : undefined;
  if (applet === undefined) {
    proc.err(`${name}: applet not found\n`);
    proc.exit(127);
    return;
  }
  applet(proc, argv.slice(1));
}

function program(applet: Applet): Program {
  return proc => applet(proc, proc.argv);
}

/** Adds every program of this module to `registry`. */
export function registerPrograms(registry: ProgramRegistry): ProgramRegistry {
  for (const [name, applet] of Object.entries(APPLETS)) registry.register(name, program(applet));
  registry.register('busybox', program(busybox));
  return registry;
}

/** A registry with the default programs. */
export function defaultPrograms(): ProgramRegistry {
  return registerPrograms(new ProgramRegistry());
}
