/**
 * Command-line plumbing shared by the iproute2-family programs (`ip`, `bridge`, `brctl`,
 * `sysctl`): an argument cursor, iproute2's keyword abbreviation rule, its address and prefix
 * parsers, and the messages its parsers print before they give up.
 *
 * Models: iproute2 `lib/utils.c` (`matches`: a word may be any prefix of the keyword;
 * `get_addr_1`/`get_addr_ipv4`: one to four dot-separated parts, each as `strtoul(.., 0)` reads
 * it, so `10/8` and `0x0b.1/16` are valid; `get_prefix`: `default`/`any`/`all` mean 0/0, a
 * missing length means a host prefix; `get_u32`; `invarg`, `duparg`, `duparg2`,
 * `incomplete_command`, `missarg`), `ip/ip_common.h` (`NEXT_ARG`), and their exit statuses:
 * `exit(-1)` is 255, the `Error: ... is expected rather than` family exits 1.
 * A parser that gives up throws `ToolExit`, the simulated `exit()`; each program catches it at
 * its entry point and turns it into the process's exit status, so it never leaves this folder.
 * Leaves out: IPv6 and other address families, `-json`, batch mode.
 */
import type { Cidr, Ipv4 } from '../../packet/index.js';
import { parseMac, type Mac } from '../../packet/index.js';
import type { Process } from '../process.js';

/** The simulated `exit(code)` of a parser deep inside a program, carrying what it printed. */
export class ToolExit extends Error {
  constructor(
    readonly code: number,
    readonly stderr: string,
    readonly stdout = '',
  ) {
    super(`exit ${code}`);
  }
}

/** Throws the simulated exit: `stderr` is printed as is (callers include the newline). */
export function die(stderr: string, code: number): never {
  throw new ToolExit(code, stderr);
}

/**
 * Runs a program body: its return value is the exit status ('pending' when the body left work
 * running that exits the process later), a `ToolExit` prints what it carries and exits with
 * its status.
 */
export function runSync(proc: Process, body: () => number | 'pending'): void {
  let code: number | 'pending';
  try {
    code = body();
  } catch (e) {
    if (!(e instanceof ToolExit)) throw e;
    if (e.stdout !== '') proc.out(e.stdout);
    if (e.stderr !== '') proc.err(e.stderr);
    code = e.code;
  }
  if (code !== 'pending') proc.exit(code);
}

/** iproute2 `matches(arg, keyword)`: `arg` is a non-empty prefix of `keyword`. */
export function matches(arg: string, keyword: string): boolean {
  return arg.length > 0 && arg.length <= keyword.length && keyword.startsWith(arg);
}

/** The remaining words of a command line, read left to right as iproute2's `argv` loops do. */
export class Args {
  private i = 0;

  constructor(private readonly words: readonly string[]) {}

  get done(): boolean {
    return this.i >= this.words.length;
  }

  /** The current word (the loop's `*argv`); '' when none is left. */
  get cur(): string {
    return this.words[this.i] ?? '';
  }

  peek(offset = 1): string | undefined {
    return this.words[this.i + offset];
  }

  /** `argv++` */
  shift(): string {
    const w = this.cur;
    this.i++;
    return w;
  }

  /** `NEXT_ARG()`: advance to the value of the current keyword or die with "Command line is not complete". */
  next(): string {
    this.i++;
    if (this.done) incompleteCommand();
    return this.cur;
  }

  rest(): string[] {
    return this.words.slice(this.i);
  }
}

/** `incomplete_command()`. */
export function incompleteCommand(): never {
  die('Command line is not complete. Try option "help"\n', 255);
}

/** `invarg(msg, arg)`: `Error: argument "ARG" is wrong: MSG` and exit 255 (MSG often ends in "\n"). */
export function invarg(msg: string, arg: string): never {
  die(`Error: argument "${arg}" is wrong: ${msg}\n`, 255);
}

/** `duparg2(key, arg)`: a second value for a one-valued selector, or an unknown word. */
export function duparg2(key: string, arg: string): never {
  die(`Error: either "${key}" is duplicate, or "${arg}" is a garbage.\n`, 255);
}

/** `duparg(key, arg)`. */
export function duparg(key: string, arg: string): never {
  die(`Error: duplicate "${key}": "${arg}" is the second value.\n`, 255);
}

/** `Cannot find device "X"` (iproute2's `ll_name_to_index` failed), exit 1. */
export function cannotFindDevice(name: string): never {
  die(`Cannot find device "${name}"\n`, 1);
}

/** iproute2's interface-name check (`check_ifname`): 1..15 bytes, no `/`, `:` or white space. */
export function validIfname(name: string): boolean {
  if (name.length === 0 || name.length > 15 || name === '.' || name === '..') return false;
  return !/[/:\s]/.test(name);
}

/** `check_ifname` on a `dev`/`name` argument: `Error: argument "X" is wrong: "dev" not a valid ifname`. */
export function checkIfname(name: string, what = 'dev'): string {
  if (!validIfname(name)) invarg(`"${what}" not a valid ifname`, name);
  return name;
}

/** `strtoul(text, &end, 0)` over the whole text: decimal, 0x hex or leading-0 octal. */
export function parseCUnsigned(text: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^0[0-7]+$/.test(text)) return parseInt(text.slice(1), 8);
  if (/^[0-9]+$/.test(text)) return Number(text);
  return undefined;
}

/** `get_addr_ipv4`: one to four parts, the missing ones zero. */
export function parseLooseIpv4(text: string): Ipv4 | undefined {
  const parts = text.split('.');
  if (parts.length === 0 || parts.length > 4) return undefined;
  let ip = 0;
  for (let i = 0; i < 4; i++) {
    const part = parts[i];
    let v = 0;
    if (part !== undefined) {
      const n = parseCUnsigned(part);
      if (n === undefined || n > 255) return undefined;
      v = n;
    }
    ip = ip * 256 + v;
  }
  return ip;
}

/** The family word iproute2 names in its parse errors: `inet` once `-4` chose it, `any valid` otherwise. */
export type FamilyWord = 'inet' | 'any valid';

/** `get_addr`: an IPv4 address or `Error: inet address is expected rather than "X".` (exit 1). */
export function parseAddrArg(text: string, family: FamilyWord): Ipv4 {
  const ip = parseLooseIpv4(text);
  if (ip === undefined) die(`Error: ${family} address is expected rather than "${text}".\n`, 1);
  return ip;
}

/** `get_prefix`: `A[/LEN]`, `default`, `all`, `any`; the address is kept as given (host bits too). */
export function parsePrefixArg(text: string, family: FamilyWord): Cidr {
  if (text === 'default' || text === 'all' || text === 'any') return { address: 0, prefix: 0 };
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const address = parseLooseIpv4(addrText);
  let prefix = 32;
  if (slash >= 0) {
    const n = parseCUnsigned(text.slice(slash + 1));
    prefix = n === undefined || n > 32 ? -1 : n;
  }
  if (address === undefined || prefix < 0) die(`Error: ${family} prefix is expected rather than "${text}".\n`, 1);
  return { address, prefix };
}

/** `get_u32(&v, arg, 0)` for a keyword's value; on failure `invarg("\"KEY\" value is invalid\n", arg)`. */
export function parseU32Arg(text: string, key: string): number {
  const n = parseCUnsigned(text);
  if (n === undefined || n > 0xffffffff) invarg(`"${key}" value is invalid\n`, text);
  return n;
}

/** `ll_addr_a2n` for Ethernet: `"zz" is invalid lladdr.` (exit 1). */
export function parseLladdrArg(text: string): Mac {
  const mac = parseMac(text);
  if (mac === undefined) die(`"${text}" is invalid lladdr.\n`, 1);
  return mac;
}

/** `on`/`off` for a `bridge link set` flag, or iproute2's `parse_on_off` complaint (exit status 234, -EINVAL). */
export function parseOnOff(key: string, value: string): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  die(`Error: argument of "${key}" must be one of "off", "on", not "${value}"\n`, 234);
}
