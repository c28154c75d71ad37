/**
 * `iptables` argv -> a parsed command with its rule(s): the command-line language of iptables.
 *
 * Models: iptables/xshared.c `do_parse` (one getopt loop for commands, IP-part options and
 * extension options; `add_command`'s "Cannot use -X with -Y"; `set_option`'s "multiple -x flags
 * not allowed" and "cannot have ! before -x"; `command_match`, `command_jump`, `command_default`
 * with the implicit protocol match of `-p tcp --dport`; the nat/DROP refusal; the x6 final
 * checks; `ipv4_post_parse` for `-s/-d` lists; `generic_opt_check` with its command/option table;
 * "Can't use -o with PREROUTING") and `xtables_merge_options` (the newest extension's option of
 * a given name wins). Extensions receive options through ext-def.ts.
 *
 *   argv --getopt--> commands, options, matches[], target --post_parse--> rules (one per s x d)
 *
 * Leaves out: `-h` help text, `-w` waiting (accepted, ignored), `-M`, bpfilter.
 * Invariant: parsing is pure; failures come back as values (catchAbort at the boundary).
 */
import { CMD, OPT, commandLetter, checkOptionTable, helpText, optionLetter } from './command-table.js';
import { MSG, badArgument, catchAbort, paramProblem, type XtFailure } from './errors.js';
import type { ProtoInfo } from './ext-def.js';
import { LONG_BUILTINS, SHORT_OPTIONS, hasNextArg, lookupLong, type LongEntry, type ShortArg } from './getopt.js';
import { PROTOCOL_MATCHES } from './matches/registry.js';
import { protoByName, protoToName } from './names.js';
import { Extensions, XT_EXTENSION_MAXNAMELEN, assertValidChainName, type ExtOptionRef } from './parse-extensions.js';
import { expandRules } from './parse-rule.js';
import type { IfaceSpec, Rule } from './rule.js';
import { parseInterface, strtoul } from './xt-parse.js';

export { XT_EXTENSION_MAXNAMELEN } from './parse-extensions.js';

export interface ParsedCommand {
  /** CMD bits (command-table.ts); LIST may be combined with ZERO / ZERO_NUM. */
  readonly command: number;
  readonly table: string;
  readonly chain: string | undefined;
  /** 1-based; 0 when not given. */
  readonly rulenum: number;
  readonly newName: string | undefined;
  readonly policy: string | undefined;
  /** One rule per source x destination address; empty for chain commands. */
  readonly rules: readonly Rule[];
  /** `-j NAME` / `-g NAME` naming a chain (checked against the table later). */
  readonly jumpChain: string | undefined;
  readonly numeric: boolean;
  readonly verbose: number;
  readonly exact: boolean;
  readonly lineNumbers: boolean;
  readonly counters: { readonly packets: number; readonly bytes: number } | undefined;
}

export type ParseOutcome =
  | { readonly kind: 'command'; readonly command: ParsedCommand }
  /** `-V`, `-h`: output and exit 0 without touching the ruleset. */
  | { readonly kind: 'exit'; readonly stdout: string }
  /** `-6` inside iptables-restore: the line is skipped. */
  | { readonly kind: 'skip' };

export interface ParseOptions {
  readonly restore?: boolean;
  /** Program name for messages (`iptables` or `iptables-restore`). */
  readonly program?: string;
}

type LongPayload = { readonly kind: 'builtin'; readonly letter: string } | ExtOptionRef;

class CommandParser {
  private command = 0;
  private chain: string | undefined;
  private rulenum = 0;
  private newName: string | undefined;
  private policy: string | undefined;
  private table = 'filter';
  private tableSet = false;
  private options = 0;
  private verbose = 0;
  private invert = false;
  private protocol: string | undefined;
  private proto = 0;
  private protoInvert = false;
  private protoUsed = false;
  private src: { text: string; invert: boolean } | undefined;
  private dst: { text: string; invert: boolean } | undefined;
  private inIface: IfaceSpec | undefined;
  private outIface: IfaceSpec | undefined;
  private fragment: { invert: boolean } | undefined;
  private readonly ext = new Extensions();
  private counters: { packets: number; bytes: number } | undefined;
  private index = 0;

  constructor(
    private readonly argv: readonly string[],
    private readonly opts: ParseOptions,
  ) {}

  private get protoInfo(): ProtoInfo {
    return { proto: this.proto, protoInvert: this.protoInvert };
  }

  run(): ParseOutcome {
    const argv = this.argv;
    while (this.index < argv.length) {
      const word = argv[this.index++]!;
      if (word === '!') {
        if (this.invert) paramProblem('multiple consecutive ! not allowed');
        this.invert = true;
        continue;
      }
      if (word.startsWith('--') && word.length > 2) {
        const out = this.longOption(word);
        if (out !== undefined) return out;
      } else if (word.startsWith('-') && word.length > 1) {
        const out = this.shortCluster(word);
        if (out !== undefined) return out;
      } else {
        badArgument(word);
      }
    }
    return this.finish();
  }

  private longEntries(): LongEntry<LongPayload>[] {
    const builtins: LongEntry<LongPayload>[] = LONG_BUILTINS.map(([name, letter, arg]) => ({
      name,
      owner: `b:${letter}`,
      arg,
      payload: { kind: 'builtin', letter },
    }));
    return [...builtins, ...this.ext.longEntries()];
  }

  private longOption(word: string): ParseOutcome | undefined {
    const eq = word.indexOf('=');
    const name = word.slice(2, eq >= 0 ? eq : undefined);
    const attached = eq >= 0 ? word.slice(eq + 1) : undefined;
    for (;;) {
      const hit = lookupLong(this.longEntries(), name);
      if (hit.kind === 'found') {
        const e = hit.entry;
        let arg: string | undefined = attached;
        if (e.arg === 'required' && arg === undefined) {
          if (this.index >= this.argv.length) paramProblem(MSG.requiresArgument(word));
          arg = this.argv[this.index++]!;
        }
        if (e.arg === 'none' && attached !== undefined) paramProblem(MSG.unknownOption(word));
        if (e.payload.kind === 'builtin') return this.builtin(e.payload.letter, arg);
        const next = () => (hasNextArg(this.argv, this.index) ? this.argv[this.index++] : undefined);
        this.ext.dispatch(e.payload, arg ?? '', this.takeInvert(), this.protoInfo, next);
        return undefined;
      }
      if (this.loadProto()) continue;
      return paramProblem(MSG.unknownOption(word));
    }
  }

  private shortCluster(word: string): ParseOutcome | undefined {
    for (let i = 1; i < word.length; i++) {
      const letter = word[i]!;
      const kind: ShortArg | undefined = SHORT_OPTIONS[letter];
      if (kind === undefined) {
        if (this.loadProto()) {
          i--;
          continue;
        }
        paramProblem(MSG.unknownOption(`-${letter}`));
      }
      let arg: string | undefined;
      if (kind === 'required') {
        arg = word.slice(i + 1);
        if (arg === '') {
          if (this.index >= this.argv.length) paramProblem(MSG.requiresArgument(`-${letter}`));
          arg = this.argv[this.index++]!;
        }
        i = word.length;
      } else if (kind === 'optional') {
        const rest = word.slice(i + 1);
        arg = rest === '' ? undefined : rest;
        i = word.length;
      }
      const out = this.builtin(letter, arg);
      if (out !== undefined) return out;
    }
    return undefined;
  }

  /** `load_proto`: `-p NAME` and an unknown option load the match NAME, once. */
  private loadProto(): boolean {
    if (this.protocol === undefined || this.protoUsed) return false;
    this.protoUsed = true;
    const n = strtoul(this.protocol, 0, 255);
    const name = n !== undefined ? protoToName(n, (this.options & OPT.NUMERIC) !== 0) : this.protocol;
    if (name === undefined || !(PROTOCOL_MATCHES as readonly string[]).includes(name)) return false;
    this.ext.loadMatch(name);
    return true;
  }

  private takeInvert(): boolean {
    const inv = this.invert;
    this.invert = false;
    return inv;
  }

  private addCommand(newCmd: number, others: number): void {
    if (this.takeInvert()) paramProblem("unexpected '!' flag");
    if ((this.command & ~others) !== 0) {
      paramProblem(`Cannot use -${commandLetter(newCmd)} with -${commandLetter(this.command & ~others)}`);
    }
    this.command |= newCmd;
  }

  private setOption(opt: number, invertBit: boolean): boolean {
    if ((this.options & opt) !== 0) paramProblem(`multiple -${optionLetter(opt)} flags not allowed`);
    this.options |= opt;
    const inv = this.takeInvert();
    if (inv && !invertBit) paramProblem(`cannot have ! before -${optionLetter(opt)}`);
    return inv;
  }

  private optionalWord(arg: string | undefined): string | undefined {
    if (arg !== undefined) return arg;
    if (hasNextArg(this.argv, this.index)) return this.argv[this.index++];
    return undefined;
  }

  private parseRulenum(text: string): number {
    const n = strtoul(text, 1, 0x7fff_ffff);
    if (n === undefined) paramProblem(`Invalid rule number \`${text}'`);
    return n;
  }

  private builtin(letter: string, arg: string | undefined): ParseOutcome | undefined {
    const a = arg ?? '';
    switch (letter) {
      case 'A':
        this.addCommand(CMD.APPEND, CMD.NONE);
        this.chain = a;
        break;
      case 'C':
        this.addCommand(CMD.CHECK, CMD.NONE);
        this.chain = a;
        break;
      case 'D':
        this.addCommand(CMD.DELETE, CMD.NONE);
        this.chain = a;
        if (hasNextArg(this.argv, this.index)) {
          this.rulenum = this.parseRulenum(this.argv[this.index++]!);
          this.command = CMD.DELETE_NUM;
        }
        break;
      case 'R':
        this.addCommand(CMD.REPLACE, CMD.NONE);
        this.chain = a;
        if (!hasNextArg(this.argv, this.index)) paramProblem('-R requires a rule number');
        this.rulenum = this.parseRulenum(this.argv[this.index++]!);
        break;
      case 'I':
        this.addCommand(CMD.INSERT, CMD.NONE);
        this.chain = a;
        this.rulenum = hasNextArg(this.argv, this.index) ? this.parseRulenum(this.argv[this.index++]!) : 1;
        break;
      case 'L':
      case 'S':
        this.addCommand(letter === 'L' ? CMD.LIST : CMD.LIST_RULES, CMD.ZERO | CMD.ZERO_NUM);
        this.chain = this.optionalWord(arg);
        if (hasNextArg(this.argv, this.index)) this.rulenum = this.parseRulenum(this.argv[this.index++]!);
        break;
      case 'F':
        this.addCommand(CMD.FLUSH, CMD.NONE);
        this.chain = this.optionalWord(arg);
        break;
      case 'Z':
        this.addCommand(CMD.ZERO, CMD.LIST | CMD.LIST_RULES);
        this.chain = this.optionalWord(arg) ?? this.chain;
        if (hasNextArg(this.argv, this.index)) {
          this.rulenum = this.parseRulenum(this.argv[this.index++]!);
          this.command = (this.command & ~CMD.ZERO) | CMD.ZERO_NUM;
        }
        break;
      case 'N':
        assertValidChainName(a);
        this.addCommand(CMD.NEW_CHAIN, CMD.NONE);
        this.chain = a;
        break;
      case 'X':
        this.addCommand(CMD.DELETE_CHAIN, CMD.NONE);
        this.chain = this.optionalWord(arg);
        break;
      case 'E':
        this.addCommand(CMD.RENAME_CHAIN, CMD.NONE);
        this.chain = a;
        if (!hasNextArg(this.argv, this.index)) paramProblem('-E requires old-chain-name and new-chain-name');
        this.newName = this.argv[this.index++];
        break;
      case 'P':
        this.addCommand(CMD.SET_POLICY, CMD.NONE);
        this.chain = a;
        if (!hasNextArg(this.argv, this.index)) paramProblem('-P requires a chain and a policy');
        this.policy = this.argv[this.index++];
        break;
      case 'h':
        return { kind: 'exit', stdout: helpText(this.opts.program ?? 'iptables') };
      case 'V':
        return { kind: 'exit', stdout: this.takeInvert() ? `Not 1.8.9 (nf_tables) ;-)\n` : `${this.opts.program ?? 'iptables'} v1.8.9 (nf_tables)\n` };
      case 'p': {
        const inv = this.setOption(OPT.PROTOCOL, true);
        this.protocol = a.toLowerCase();
        const n = strtoul(this.protocol, 0, 255) ?? protoByName(this.protocol);
        if (n === undefined) paramProblem(`unknown protocol "${this.protocol}" specified`);
        if (n === 0 && inv) paramProblem('rule would never match protocol');
        this.proto = n;
        this.protoInvert = inv;
        break;
      }
      case 's':
        this.src = { invert: this.setOption(OPT.SOURCE, true), text: a };
        break;
      case 'd':
        this.dst = { invert: this.setOption(OPT.DESTINATION, true), text: a };
        break;
      case 'i':
      case 'o': {
        if (a === '') paramProblem('Empty interface is likely to be undesired');
        const inv = this.setOption(letter === 'i' ? OPT.VIANAMEIN : OPT.VIANAMEOUT, true);
        const spec = { ...parseInterface(a), invert: inv };
        if (letter === 'i') this.inIface = spec;
        else this.outIface = spec;
        break;
      }
      case 'f':
        this.fragment = { invert: this.setOption(OPT.FRAGMENT, true) };
        break;
      case 'v':
        if (this.verbose === 0) this.setOption(OPT.VERBOSE, false);
        else this.takeInvert();
        this.verbose++;
        break;
      case 'n':
        this.setOption(OPT.NUMERIC, false);
        break;
      case 'x':
        this.setOption(OPT.EXPANDED, false);
        break;
      case '0':
        this.setOption(OPT.LINENUMBERS, false);
        break;
      case 'm':
        if (this.takeInvert()) paramProblem('unexpected ! flag before --match');
        this.ext.loadMatch(a);
        break;
      case 'j':
      case 'g':
        this.setOption(OPT.JUMP, false);
        this.ext.jump(a, letter === 'g');
        break;
      case 't':
        if (this.takeInvert()) paramProblem('unexpected ! flag before --table');
        if (this.opts.restore === true && this.tableSet) {
          paramProblem(`The -t option cannot be used in ${this.opts.program ?? 'iptables-restore'}.\n`);
        }
        this.table = a;
        this.tableSet = true;
        break;
      case 'c': {
        this.setOption(OPT.COUNTERS, false);
        const comma = a.indexOf(',', 1);
        const pcnt = comma >= 0 ? a.slice(0, comma) : a;
        const bcnt = comma >= 0 ? a.slice(comma + 1) : hasNextArg(this.argv, this.index) ? this.argv[this.index++] : undefined;
        if (bcnt === undefined) paramProblem('-c requires packet and byte counter');
        const packets = /^\s*\d+/.exec(pcnt);
        const bytes = /^\s*\d+/.exec(bcnt);
        if (packets === null) paramProblem('-c packet counter not numeric');
        if (bytes === null) paramProblem('-c byte counter not numeric');
        this.counters = { packets: Number(packets[0]), bytes: Number(bytes[0]) };
        break;
      }
      case 'w':
      case 'W':
        if (this.opts.restore === true) paramProblem(`You cannot use \`-${letter}' from iptables-restore`);
        this.optionalWord(arg);
        break;
      case 'M':
      case '4':
        break;
      case '6':
        if (this.opts.restore === true) return { kind: 'skip' };
        throw new TryHelpOnly();
      default:
        paramProblem(MSG.unknownOption(`-${letter}`));
    }
    return undefined;
  }

  private finish(): ParseOutcome {
    if (this.table === 'nat' && (this.policy === 'DROP' || this.ext.jumpto === 'DROP')) paramProblem(MSG.natDrop);
    this.ext.finalize(this.protoInfo);
    if (this.command === 0) paramProblem('no command specified');
    if (this.invert) paramProblem('nothing appropriate following !');
    const ruleCmd = CMD.REPLACE | CMD.INSERT | CMD.DELETE | CMD.APPEND | CMD.CHECK;
    const rules = expandRules(
      {
        src: this.src,
        dst: this.dst,
        inIface: this.inIface,
        outIface: this.outIface,
        proto: this.proto,
        protoInvert: this.protoInvert,
        fragment: this.fragment,
        matches: this.ext.matchData(),
        action: this.ext.action(),
      },
      (this.command & ruleCmd) !== 0,
      this.command === CMD.REPLACE,
    );
    checkOptionTable(this.command, this.options);
    if (this.chain !== undefined && this.chain.length >= XT_EXTENSION_MAXNAMELEN) {
      paramProblem(`chain name \`${this.chain}' too long (must be under ${XT_EXTENSION_MAXNAMELEN} chars)`);
    }
    if ((this.command & (ruleCmd | CMD.DELETE_NUM)) !== 0 && this.chain !== undefined) {
      if ((this.chain === 'PREROUTING' || this.chain === 'INPUT') && (this.options & OPT.VIANAMEOUT) !== 0) {
        paramProblem(`Can't use -o with ${this.chain}\n`);
      }
      if ((this.chain === 'POSTROUTING' || this.chain === 'OUTPUT') && (this.options & OPT.VIANAMEIN) !== 0) {
        paramProblem(`Can't use -i with ${this.chain}\n`);
      }
    }
    const chainJump = this.ext.chainJump();
    return {
      kind: 'command',
      command: {
        command: this.command,
        table: this.table,
        chain: this.chain,
        rulenum: this.rulenum,
        newName: this.newName,
        policy: this.policy,
        rules,
        jumpChain: chainJump,
        numeric: (this.options & OPT.NUMERIC) !== 0,
        verbose: this.verbose,
        exact: (this.options & OPT.EXPANDED) !== 0,
        lineNumbers: (this.options & OPT.LINENUMBERS) !== 0,
        counters: this.counters,
      },
    };
  }

}

/** `exit_tryhelp(2)` with no message, as `-6` does in plain iptables. */
class TryHelpOnly extends Error {}

export type ParseResult = { readonly ok: true; readonly value: ParseOutcome } | { readonly ok: false; readonly failure: XtFailure };

/** Parses an iptables argv (without the program name). */
export function parseCommand(argv: readonly string[], opts: ParseOptions = {}): ParseResult {
  try {
    return catchAbort(() => new CommandParser(argv, opts).run());
  } catch (e) {
    if (e instanceof TryHelpOnly) {
      const program = opts.program ?? 'iptables';
      return { ok: false, failure: { kind: 'raw', exitCode: 2, text: `Try \`${program} -h' or '${program} --help' for more information.\n` } };
    }
    throw e;
  }
}

/**
 * Parses the rule part of a line such as iptables-save prints (`-A CHAIN <spec>`), returning the
 * chain and the rule. For tests and tools; the table defaults to filter.
 */
export function parseRuleLine(words: readonly string[], table = 'filter'): { readonly ok: true; readonly chain: string; readonly rule: Rule } | { readonly ok: false; readonly failure: XtFailure } {
  const r = parseCommand(['-t', table, ...words]);
  if (!r.ok) return r;
  if (r.value.kind !== 'command' || r.value.command.rules.length !== 1 || r.value.command.chain === undefined) {
    return { ok: false, failure: { kind: 'param', message: 'not a single rule' } };
  }
  return { ok: true, chain: r.value.command.chain, rule: r.value.command.rules[0]! };
}
