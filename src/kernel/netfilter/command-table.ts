/**
 * The command and option bits of the iptables command line, and which options each command allows.
 *
 * Models: iptables/xshared.h `CMD_*` and `OPT_*`, xshared.c `cmd2char`, `opt2char` and the
 * `commands_v_options` table checked by `generic_opt_check` ("Illegal option `-n' with this
 * command"; an option is legal if any of the given commands allows it).
 * Leaves out: the ARP/ebtables-only option columns.
 * Invariant: bit positions match the C enums, so letters come out as iptables prints them.
 */
import { paramProblem } from './errors.js';

export const CMD = {
  NONE: 0,
  INSERT: 1 << 0,
  DELETE: 1 << 1,
  DELETE_NUM: 1 << 2,
  REPLACE: 1 << 3,
  APPEND: 1 << 4,
  LIST: 1 << 5,
  FLUSH: 1 << 6,
  ZERO: 1 << 7,
  NEW_CHAIN: 1 << 8,
  DELETE_CHAIN: 1 << 9,
  SET_POLICY: 1 << 10,
  RENAME_CHAIN: 1 << 11,
  LIST_RULES: 1 << 12,
  ZERO_NUM: 1 << 13,
  CHECK: 1 << 14,
} as const;

const CMD_LETTERS = ['I', 'D', 'D', 'R', 'A', 'L', 'F', 'Z', 'N', 'X', 'P', 'E', 'S', 'Z', 'C'];

export const OPT = {
  NUMERIC: 1 << 0,
  SOURCE: 1 << 1,
  DESTINATION: 1 << 2,
  PROTOCOL: 1 << 3,
  JUMP: 1 << 4,
  VERBOSE: 1 << 5,
  EXPANDED: 1 << 6,
  VIANAMEIN: 1 << 7,
  VIANAMEOUT: 1 << 8,
  LINENUMBERS: 1 << 9,
  COUNTERS: 1 << 10,
  FRAGMENT: 1 << 11,
} as const;

const OPT_LETTERS = ['n', 's', 'd', 'p', 'j', 'v', 'x', 'i', 'o', '0', 'c', 'f'];

/** `cmd2char`: the letter of the highest command bit. */
export function commandLetter(cmd: number): string {
  let i = 0;
  for (let c = cmd; c > 1; c >>>= 1) i++;
  return CMD_LETTERS[i] ?? '?';
}

export function optionLetter(opt: number): string {
  let i = 0;
  for (let o = opt; o > 1; o >>>= 1) i++;
  return OPT_LETTERS[i] ?? '?';
}

/** Rows in CMD bit order; columns in OPT bit order; 'x' illegal, ' ' optional. */
const COMMANDS_V_OPTIONS: readonly string[] = [
  /* INSERT     */ 'x     x  x  ',
  /* DELETE     */ 'x     x  xx ',
  /* DELETE_NUM */ 'xxxxx xxxxxx',
  /* REPLACE    */ 'x     x  x  ',
  /* APPEND     */ 'x     x  x  ',
  /* LIST       */ ' xxxx  xx xx',
  /* FLUSH      */ 'xxxxx xxxxxx',
  /* ZERO       */ 'xxxxx xxxxxx',
  /* NEW_CHAIN  */ 'xxxxx xxxxxx',
  /* DEL_CHAIN  */ 'xxxxx xxxxxx',
  /* SET_POLICY */ 'xxxxx xxxx x',
  /* RENAME     */ 'xxxxx xxxxxx',
  /* LIST_RULES */ 'xxxxx xxxxxx',
  /* ZERO_NUM   */ 'xxxxx xxxxxx',
  /* CHECK      */ 'x     x  xx ',
];

/** `generic_opt_check`. */
export function checkOptionTable(command: number, options: number): void {
  for (let i = 0; i < OPT_LETTERS.length; i++) {
    if ((options & (1 << i)) === 0) continue;
    let legal = 0;
    for (let j = 0; j < COMMANDS_V_OPTIONS.length; j++) {
      if ((command & (1 << j)) === 0) continue;
      if (COMMANDS_V_OPTIONS[j]![i] !== 'x') legal = 1;
      else if (legal === 0) legal = -1;
    }
    if (legal === -1) paramProblem(`Illegal option \`-${OPT_LETTERS[i]}' with this command`);
  }
}

/** The usage lines of `xtables_printhelp` (the option descriptions are left out). */
export function helpText(program: string): string {
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
