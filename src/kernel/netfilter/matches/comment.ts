/**
 * `-m comment --comment TEXT`: a note on the rule that always matches.
 *
 * Models: extensions/libxt_comment.c (mandatory option; the text is cut to 255 characters, the
 * size of `xt_comment_info.comment` minus the NUL; saved with `xtables_save_string` quoting;
 * printed as ` /* TEXT *\/`) and net/netfilter/xt_comment.c (always true). With the nf_tables
 * backend the comment lives in the rule's user data and is printed after the other matches;
 * format-rule.ts does that reordering.
 * Leaves out: nothing.
 * Invariant: `text.length <= 255`.
 */
import { paramProblem } from '../errors.js';
import type { MatchDef } from '../ext-def.js';
import { saveString } from '../xt-parse.js';

const XT_MAX_COMMENT_LEN = 256;

export interface CommentMatch {
  readonly kind: 'comment';
  readonly text: string;
}

export const commentMatch: MatchDef<CommentMatch> = {
  name: 'comment',
  options: [{ name: 'comment', hasArg: true, invert: false }],
  init: () => ({ kind: 'comment', text: '' }),
  parse: (d, call) => ({ ...d, text: call.arg.slice(0, XT_MAX_COMMENT_LEN - 1) }),
  final(d, call) {
    if (!call.seen.has('comment')) paramProblem('comment: option "--comment" must be specified\n');
    return d;
  },
  save: (d) => ` --comment${saveString(d.text)}`,
  print: (d) => ` /* ${d.text} */`,
  match: () => true,
};
