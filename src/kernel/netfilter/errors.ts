/**
 * Every failure text the iptables tools print, in one place, and how each is rendered.
 *
 * Models: iptables 1.8.9 with the nf_tables backend, as Debian 12 ships it (the reference host):
 * `xtables_exit_error` and `exit_tryhelp` (iptables/xshared.c), `nft_strerror` and `nft_action` /
 * `mnl_append_error` (iptables/nft.c), `xtables_main` (iptables/xtables-standalone.c) and the
 * restore loop (iptables/xtables-restore.c). Exit statuses are libxtables' `enum xtables_exittype`:
 * OTHER_PROBLEM 1, PARAMETER_PROBLEM 2, VERSION_PROBLEM 3, RESOURCE_PROBLEM 4.
 *
 * Shapes of the output:
 *   parameter problem   `iptables v1.8.9 (nf_tables): <msg>` + `Try \`iptables -h' ...`      exit 2
 *   (restore)           ... + `Error occurred at line: N` before the Try line                  exit 2
 *   errno from a change `iptables: <nft_strerror text>.` (+ ` Run \`dmesg' ...` for EINVAL)  exit 1
 *   (restore)           `iptables-restore: line N failed`                                      exit 1
 *   kernel refusal      `iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain X`
 *   (restore)           `iptables-restore v1.8.9 (nf_tables): ` + `\nline N: RULE_APPEND failed (...): ...` exit 4
 *
 * Some C format strings end in `\n` and the error printer adds another: those messages print a
 * blank line before the Try line, exactly as the real tool does; the texts below keep that `\n`.
 *
 * Leaves out: `-h` help texts; locale-dependent strerror variants (glibc English texts are used).
 * Invariant: no code branches on these strings; failures are values with a `kind`.
 */

export const IPTABLES_VERSION = '1.8.9 (nf_tables)';

export type XtProgram = 'iptables' | 'iptables-save' | 'iptables-restore';

/** The nf_tables batch operations that can fail in the kernel (`type_name[]` in nft.c). */
export type NftOp =
  | 'RULE_APPEND'
  | 'RULE_INSERT'
  | 'RULE_REPLACE'
  | 'RULE_DELETE'
  | 'CHAIN_DEL'
  | 'CHAIN_RENAME'
  | 'CHAIN_USER_ADD';

/** Kernel errnos a refused change reports, with glibc's strerror text. */
export const KERNEL_ERRNO_TEXT = {
  EINVAL: 'Invalid argument',
  ELOOP: 'Too many levels of symbolic links',
  EBUSY: 'Device or resource busy',
  EOPNOTSUPP: 'Operation not supported',
  ENOENT: 'No such file or directory',
} as const;
export type KernelErrno = keyof typeof KERNEL_ERRNO_TEXT;

/** `nft_strerror` texts for errors found while preparing a change (before the kernel sees it). */
export const NFT_STRERROR = {
  chainExists: 'Chain already exists',
  renameExists: 'File exists',
  insertTooBig: 'Index of insertion too big',
  replaceTooBig: 'Index of replacement too big',
  deleteTooBig: 'Index of deletion too big',
  badRule: 'Bad rule (does a matching rule exist in that chain?)',
  badBuiltinChain: 'Bad built-in chain name',
  badPolicy: 'Bad policy name',
  noChain: 'No chain/target/match by that name',
  builtinBusy: 'Directory not empty',
} as const;
export type NftStrerrorKey = keyof typeof NFT_STRERROR;

export type XtFailure =
  /** xtables_error(PARAMETER_PROBLEM, ...): usage errors found while parsing. */
  | { readonly kind: 'param'; readonly message: string }
  /** xtables_error(VERSION_PROBLEM, ...): e.g. an unknown table. */
  | { readonly kind: 'version'; readonly message: string }
  /** xtables_error(OTHER_PROBLEM, ...). */
  | { readonly kind: 'other'; readonly message: string }
  /** A stray non-option word: `Bad argument \`x'` (printed without the version prefix). */
  | { readonly kind: 'bad-argument'; readonly arg: string }
  /** A change refused while being prepared; `einval` adds the dmesg hint. */
  | { readonly kind: 'errno'; readonly key: NftStrerrorKey; readonly einval: boolean }
  /** The kernel refused a batch object (nft_action -> mnl_append_error). */
  | {
      readonly kind: 'kernel';
      readonly op: NftOp;
      readonly errno: KernelErrno;
      /** `rule in chain X` / `chain X`. */
      readonly object: string;
      /** Input line of the refused object (iptables-restore only). */
      readonly line?: number | undefined;
    }
  /** A restore input line that did nothing (outside a table, or a failed commit). */
  | { readonly kind: 'line-failed'; readonly line: number }
  /** Text already in final form (e.g. `iptables-restore: COMMIT expected at line N`). */
  | { readonly kind: 'raw'; readonly text: string; readonly exitCode: number };

export interface XtOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Thrown inside the parsers only, and caught at their boundary where it becomes a value. The
 * parsers mirror libxtables' call-and-exit style; nothing outside this module sees the throw.
 */
export class XtAbort extends Error {
  override readonly name = 'XtAbort';
  constructor(readonly failure: XtFailure) {
    super('iptables parse failure');
  }
}

export function paramProblem(message: string): never {
  throw new XtAbort({ kind: 'param', message });
}

export function badArgument(arg: string): never {
  throw new XtAbort({ kind: 'bad-argument', arg });
}

export function otherProblem(message: string): never {
  throw new XtAbort({ kind: 'other', message });
}

/** Runs a parser and turns an XtAbort into a value; other exceptions are bugs and propagate. */
export function catchAbort<T>(f: () => T): { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: XtFailure } {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof XtAbort) return { ok: false, failure: e.failure };
    throw e;
  }
}

function tryHelp(program: XtProgram): string {
  return `Try \`${program} -h' or '${program} --help' for more information.\n`;
}

/**
 * Renders a failure the way `program` prints it. `line` is iptables-restore's current input line
 * (the global `line` of xtables-restore.c), used by the "Error occurred at line" and "line N
 * failed" forms.
 */
export function renderFailure(failure: XtFailure, program: XtProgram, line?: number): XtOutput {
  const prefix = `${program} v${IPTABLES_VERSION}: `;
  const atLine = line === undefined ? '' : `Error occurred at line: ${line}\n`;
  switch (failure.kind) {
    case 'param':
      return { exitCode: 2, stdout: '', stderr: `${prefix}${failure.message}\n${atLine}${tryHelp(program)}` };
    case 'version':
      return {
        exitCode: 3,
        stdout: '',
        stderr: `${prefix}${failure.message}\nPerhaps iptables or your kernel needs to be upgraded.\n`,
      };
    case 'other':
      return { exitCode: 1, stdout: '', stderr: `${prefix}${failure.message}\n` };
    case 'bad-argument':
      return { exitCode: 2, stdout: '', stderr: `Bad argument \`${failure.arg}'\n${atLine}${tryHelp(program)}` };
    case 'errno':
      if (program === 'iptables-restore') {
        return { exitCode: 1, stdout: '', stderr: `${program}: line ${line ?? 0} failed\n` };
      }
      return {
        exitCode: 1,
        stdout: '',
        stderr: `${program}: ${NFT_STRERROR[failure.key]}.${failure.einval ? " Run `dmesg' for more information." : ''}\n`,
      };
    case 'kernel': {
      const what = `${failure.op} failed (${KERNEL_ERRNO_TEXT[failure.errno]}): ${failure.object}`;
      const body = failure.line === undefined ? ` ${what}` : `\nline ${failure.line}: ${what}`;
      return { exitCode: 4, stdout: '', stderr: `${prefix}${body}\n` };
    }
    case 'line-failed':
      return { exitCode: 1, stdout: '', stderr: `${program}: line ${failure.line} failed\n` };
    case 'raw':
      return { exitCode: failure.exitCode, stdout: '', stderr: failure.text };
  }
}

/** The exact texts of parse-time messages shared by several files. */
export const MSG = {
  couldNotLoadMatch: (name: string) => `Couldn't load match \`${name}':No such file or directory\n`,
  chainDoesNotExist: (name: string) => `Chain '${name}' does not exist`,
  tableDoesNotExist: (name: string) => `table '${name}' does not exist`,
  unknownOption: (opt: string) => `unknown option "${opt}"`,
  requiresArgument: (opt: string) => `option "${opt}" requires an argument`,
  onlyOnce: (ext: string, opt: string) => `${ext}: option "--${opt}" can only be used once.\n`,
  cannotInvert: (ext: string, opt: string) => `${ext}: option "--${opt}" cannot be inverted.\n`,
  mustBeSpecified: (ext: string, opt: string) => `${ext}: option "--${opt}" must be specified\n`,
  badValue: (ext: string, opt: string, min: number | bigint, max: number | bigint) =>
    `${ext}: bad value for option "--${opt}", or out of range (${min}-${max}).\n`,
  natDrop: '\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n',
  needPortProto: 'Need TCP, UDP, SCTP or DCCP with port specification',
} as const;
