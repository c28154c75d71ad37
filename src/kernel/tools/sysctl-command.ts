/**
 * `sysctl [-n] [-N] [-e] [-q] [-w] [-a] KEY[=VALUE]...`: the namespace's `/proc/sys/net` tree as
 * procps-ng 4 prints it (`net.ipv4.ip_forward = 1`), or busybox 1.35's applet in a container.
 *
 * Models: procps-ng 4.0 `sysctl.c` (`ReadSetting`: a key naming a directory lists everything
 * under it, `/` and `.` are both separators, an unknown key prints `sysctl: cannot stat
 * /proc/sys/KEY: No such file or directory` and the run ends with status 1 after the remaining
 * keys; `WriteSetting`: `KEY=VALUE` writes with or without `-w`, prints `KEY = VALUE` unless
 * `-q`; `-w KEY` without a value is `sysctl: command line(0): invalid syntax, continuing...`;
 * `-n` prints values only, `-N` names only, `-e` ignores unknown keys, `-a` lists all), busybox
 * `procps/sysctl.c` (`sysctl: error: 'KEY' is an unknown key`, `sysctl: error setting key 'KEY'
 * to 'VALUE': Invalid argument`). Values and validation are `sysctl.ts`'s.
 * Leaves out: `-p`/`--system` (no files are loaded), `-b`, `--pattern`, the keys the model does
 * not have (anything outside its `net.*` subset).
 */
import type { Process, Program } from '../process.js';
import { runSync } from './cli-args.js';

interface SysctlFlags {
  names: boolean;
  values: boolean;
  ignore: boolean;
  quiet: boolean;
  write: boolean;
  all: boolean;
}

function dotted(key: string): string {
  return key.trim().replace(/\//g, '.');
}

function run(proc: Process): number {
  const bb = proc.userland === 'busybox';
  const sys = proc.ns.sysctl;
  const f: SysctlFlags = { names: false, values: false, ignore: false, quiet: false, write: false, all: false };
  const keys: string[] = [];
  for (const arg of proc.argv.slice(1)) {
    if (arg.startsWith('-') && arg.length > 1 && !arg.startsWith('--')) {
      for (const c of arg.slice(1)) {
        if (c === 'n') f.values = true;
        else if (c === 'N') f.names = true;
        else if (c === 'e') f.ignore = true;
        else if (c === 'q') f.quiet = true;
        else if (c === 'w') f.write = true;
        else if (c === 'a' || c === 'A' || c === 'X') f.all = true;
        else {
          proc.err(bb ? `sysctl: invalid option -- '${c}'\n` : `sysctl: invalid option -- '${c}'\nTry 'sysctl --help' for more information.\n`);
          return bb ? 1 : 255;
        }
      }
    } else if (arg === '--all') f.all = true;
    else if (arg === '--values') f.values = true;
    else if (arg === '--names') f.names = true;
    else if (arg === '--write') f.write = true;
    else if (arg === '--quiet') f.quiet = true;
    else keys.push(arg);
  }
  const show = (key: string, value: string): void => {
    if (f.names) proc.out(`${key}\n`);
    else if (f.values) proc.out(`${value}\n`);
    else proc.out(`${key} = ${value}\n`);
  };
  if (f.all || keys.length === 0) {
    if (!f.all) {
      proc.err(bb ? 'BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: sysctl [-enq] { -a | -p [FILE]... | [-w] [KEY[=VALUE]]... }\n' : 'sysctl: no variables specified\nTry `sysctl --help\' for more information.\n');
      return bb ? 1 : 255;
    }
    for (const [k, v] of sys.entries()) show(k, v);
    return 0;
  }
  let status = 0;
  for (const arg of keys) {
    const eq = arg.indexOf('=');
    if (eq < 0 && f.write) {
      proc.err(bb ? `sysctl: error: '${arg}' must be of the form name=value\n` : 'sysctl: command line(0): invalid syntax, continuing...\n');
      status = 1;
      continue;
    }
    if (eq >= 0) {
      const key = dotted(arg.slice(0, eq));
      const value = arg.slice(eq + 1);
      const r = sys.set(key, value);
      if (!r.ok) {
        if (f.ignore && !sys.has(key)) continue;
        proc.err(bb ? (sys.has(key) ? `sysctl: error setting key '${key}' to '${value}': Invalid argument\n` : `sysctl: error: '${key}' is an unknown key\n`) : `${r.error}\n`);
        status = 1;
      } else if (!f.quiet) show(key, r.value);
      continue;
    }
    const key = dotted(arg);
    const r = sys.get(key);
    if (r.ok) {
      show(key, r.value);
      continue;
    }
    const under = sys.entries().filter(([k]) => k.startsWith(`${key}.`));
    if (under.length > 0) {
      for (const [k, v] of under) show(k, v);
      continue;
    }
    if (f.ignore) continue;
    proc.err(bb ? `sysctl: error: '${key}' is an unknown key\n` : `${r.error}\n`);
    status = 1;
  }
  return status;
}

/** The `sysctl` program. */
export const sysctlProgram: Program = proc => runSync(proc, () => run(proc));
