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
import { MSG, badArgument, catchAbort, paramProblem, type XtFailure } from './errors.js';
import { checkOptionUse, optId, type OptSpec, type ProtoInfo } from './ext-def.js';
import { LONG_BUILTINS, SHORT_OPTIONS, hasNextArg, lookupLong, type LongEntry, type ShortArg } from './getopt.js';
import { matchDefByName, PROTOCOL_MATCHES, type MatchData } from './matches/registry.js';
import { protoByName, protoToName } from './names.js';
import { ANY_ADDR, type IfaceSpec, type Rule, type RuleAction } from './rule.js';
import { STANDARD_VERDICTS, targetDefByName, type StandardVerdict, type TargetData } from './targets/registry.js';
import { parseAddressList, parseInterface, strtoul } from './xt-parse.js';
import { CMD, OPT, commandLetter, checkOptionTable, optionLetter } from './command-table.js';

export const XT_EXTENSION_MAXNAMELEN = 29;

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

interface ExtInstance {
  readonly type: string;
  readonly name: string;
  readonly options: readonly OptSpec[];
  data: MatchData | TargetData;
  readonly seen: Set<string>;
  completed: boolean;
  readonly isTarget: boolean;
}

type LongPayload = { readonly kind: 'builtin'; readonly letter: string } | { readonly kind: 'ext'; readonly type: string; readonly spec: OptSpec };

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
  private readonly matches: ExtInstance[] = [];
  private target: ExtInstance | undefined;
  private verdict: StandardVerdict | undefined;
  private jumpto = '';
  private goto = false;
  private counters: { packets: number; bytes: number } | undefined;
  /** Extension types in load order (`m:tcp`, `t:DNAT`); later ones shadow earlier option names. */
  private readonly loadedTypes: string[] = [];
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
    const entries: LongEntry<LongPayload>[] = LONG_BUILTINS.map(([name, letter, arg]) => ({
      name,
      owner: `b:${letter}`,
      arg,
      payload: { kind: 'builtin', letter },
    }));
    for (const type of [...this.loadedTypes].reverse()) {
      const inst = [...this.matches, ...(this.target ? [this.target] : [])].find((m) => m.type === type);
      if (inst === undefined) continue;
      for (const spec of inst.options) {
        entries.push({
          name: spec.name,
          owner: `${type}:${optId(spec)}`,
          arg: spec.hasArg ? 'required' : 'none',
          payload: { kind: 'ext', type, spec },
        });
      }
    }
    return entries;
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
        this.extOption(e.payload.type, e.payload.spec, arg ?? '');
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
    this.loadMatch(name);
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
        this.loadMatch(a);
        break;
      case 'j':
      case 'g':
        this.setOption(OPT.JUMP, false);
        this.jump(a, letter === 'g');
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

  private loadMatch(name: string): void {
    const def = matchDefByName(name);
    if (def === undefined) paramProblem(MSG.couldNotLoadMatch(name));
    for (const m of this.matches) if (m.name === name) m.completed = true;
    const type = `m:${name}`;
    if (!this.loadedTypes.includes(type)) this.loadedTypes.push(type);
    this.matches.push({ type, name, options: def.options, data: def.init(), seen: new Set(), completed: false, isTarget: false });
  }

  private jump(name: string, isGoto: boolean): void {
    if (name.length < 1) paramProblem('Invalid target name (too short)');
    if (name.length >= XT_EXTENSION_MAXNAMELEN) {
      paramProblem(`Invalid target name \`${name}' (${XT_EXTENSION_MAXNAMELEN - 1} chars max)`);
    }
    if (/\s/.test(name)) paramProblem(`Invalid target name \`${name}'`);
    this.jumpto = name;
    this.goto = isGoto;
    if (isGoto) return;
    if ((STANDARD_VERDICTS as readonly string[]).includes(name)) {
      this.verdict = name as StandardVerdict;
      return;
    }
    const def = targetDefByName(name);
    if (def === undefined) return;
    const type = `t:${name}`;
    if (!this.loadedTypes.includes(type)) this.loadedTypes.push(type);
    this.target = { type, name, options: def.options, data: def.init(), seen: new Set(), completed: false, isTarget: true };
  }

  private extOption(type: string, spec: OptSpec, arg: string): void {
    const inst =
      this.target?.type === type ? this.target : this.matches.find((m) => m.type === type && !m.completed);
    if (inst === undefined) paramProblem(MSG.unknownOption(`--${spec.name}`));
    const invert = this.takeInvert();
    checkOptionUse(inst.name, spec, inst.seen, invert);
    let arg2: string | undefined;
    if (spec.secondArg !== undefined) {
      if (!hasNextArg(this.argv, this.index)) paramProblem(spec.secondArg);
      arg2 = this.argv[this.index++];
    }
    const def = inst.isTarget ? targetDefByName(inst.name)! : matchDefByName(inst.name)!;
    const call = { id: optId(spec), name: spec.name, arg, arg2, invert, seen: inst.seen, info: this.protoInfo };
    inst.data = (def as { parse(d: unknown, c: typeof call): MatchData | TargetData }).parse(inst.data, call);
    inst.seen.add(optId(spec));
  }

  private finish(): ParseOutcome {
    if (this.table === 'nat' && (this.policy === 'DROP' || this.jumpto === 'DROP')) paramProblem(MSG.natDrop);
    for (const m of this.matches) {
      const def = matchDefByName(m.name)!;
      m.data = def.final(m.data as MatchData, { seen: m.seen, info: this.protoInfo });
    }
    if (this.target) {
      const def = targetDefByName(this.target.name)!;
      this.target.data = def.final(this.target.data as TargetData, { seen: this.target.seen, info: this.protoInfo });
    }
    if (this.command === 0) paramProblem('no command specified');
    if (this.invert) paramProblem('nothing appropriate following !');
    const ruleCmd = CMD.REPLACE | CMD.INSERT | CMD.DELETE | CMD.APPEND | CMD.CHECK;
    const isRuleCmd = (this.command & ruleCmd) !== 0;
    const srcs = parseAddressList(this.src?.text ?? (isRuleCmd ? '0.0.0.0/0' : '0.0.0.0/0'));
    const dsts = parseAddressList(this.dst?.text ?? '0.0.0.0/0');
    if ((srcs.length > 1 || dsts.length > 1) && (this.src?.invert === true || this.dst?.invert === true)) {
      paramProblem('! not allowed with multiple source or destination IP addresses');
    }
    if (this.command === CMD.REPLACE && (srcs.length !== 1 || dsts.length !== 1)) {
      paramProblem('Replacement rule does not specify a unique address');
    }
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
    const rules: Rule[] = [];
    if (isRuleCmd) {
      for (const s of srcs) {
        for (const d of dsts) {
          rules.push({
            src: this.src ? { ...s, invert: this.src.invert } : ANY_ADDR,
            dst: this.dst ? { ...d, invert: this.dst.invert } : ANY_ADDR,
            inIface: this.inIface,
            outIface: this.outIface,
            proto: this.proto,
            protoInvert: this.protoInvert,
            fragment: this.fragment,
            matches: this.matches.map((m) => m.data as MatchData),
            action: this.action(),
          });
        }
      }
    }
    const chainJump = this.target === undefined && this.verdict === undefined && this.jumpto !== '' ? this.jumpto : undefined;
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

  private action(): RuleAction {
    if (this.target !== undefined) return { kind: 'target', target: this.target.data as TargetData };
    if (this.verdict !== undefined) return { kind: 'verdict', verdict: this.verdict };
    if (this.jumpto !== '') return this.goto ? { kind: 'goto', chain: this.jumpto } : { kind: 'jump', chain: this.jumpto };
    return { kind: 'none' };
  }
}

/** `exit_tryhelp(2)` with no message, as `-6` does in plain iptables. */
class TryHelpOnly extends Error {}

/** `assert_valid_chain_name`. */
export function assertValidChainName(name: string): void {
  if (name.length >= XT_EXTENSION_MAXNAMELEN) {
    paramProblem(`chain name \`${name}' too long (must be under ${XT_EXTENSION_MAXNAMELEN} chars)`);
  }
  if (name.startsWith('-') || name.startsWith('!')) paramProblem(`chain name not allowed to start with \`${name[0]}'`);
  if ((STANDARD_VERDICTS as readonly string[]).includes(name) || targetDefByName(name) !== undefined) {
    paramProblem('chain name may not clash with target name');
  }
  if (/\s/.test(name)) paramProblem(`Invalid chain name \`${name}'`);
}

function helpText(program: string): string {
  return (
    `${program} v1.8.9 (nf_tables)\n\n` +
    `Usage: ${program} -[ACD] chain rule-specification [options]\n` +
    `       ${program} -I chain [rulenum] rule-specification [options]\n` +
    `       ${program} -R chain rulenum rule-specification [options]\n` +
    `       ${program} -D chain rulenum [options]\n` +
    `       ${program} -[LS] [chain [rulenum]] [options]\n` +
    `       ${program} -[FZ] [chain] [options]\n` +
    `       ${program} -[NX] chain\n` +
    `       ${program} -E old-chain-name new-chain-name\n` +
    `       ${program} -P chain target [options]\n` +
    `       ${program} -h (print this help information)\n\n`
  );
}

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
