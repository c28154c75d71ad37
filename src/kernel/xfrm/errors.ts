/**
 * The expected failures of the xfrm configuration calls (`ip xfrm state ...`, `ip xfrm policy
 * ...`), as values with the text iproute2 6.x prints and its exit status; every message of the
 * module is in this table.
 *
 * Models: `net/xfrm/xfrm_user.c` and `net/xfrm/xfrm_state.c` / `xfrm_policy.c` errnos:
 * `xfrm_state_add` finds (daddr, SPI, proto) taken: EEXIST; `xfrm_state_update`,
 * `xfrm_del_sa` and `xfrm_get_sa` (`xfrm_user_state_lookup`) find nothing: ESRCH;
 * `xfrm_policy_insert` with NLM_F_EXCL finds the selector and direction taken: EEXIST;
 * `xfrm_get_policy` (also for delete) finds nothing: ENOENT. None of them sets an extack
 * message, so iproute2 prints `RTNETLINK answers: <strerror>` and exits 2.
 * The model's own limits (algorithms and replay windows it does not implement) are reported as
 * `Error: ...` with status 2, the form of a kernel refusal with a message, so a scenario that
 * needs them fails loudly rather than behaving differently.
 * Leaves out: nothing the calls here can return.
 */
import { rtnetlinkError, type IprouteError } from '../ipv4/index.js';

export const XFRM_ERRORS = {
  stateExists: () => rtnetlinkError('EEXIST'),
  stateNotFound: () => rtnetlinkError('ESRCH'),
  policyExists: () => rtnetlinkError('EEXIST'),
  policyNotFound: () => rtnetlinkError('ENOENT'),
  /** `esp_init_aead`: key length or ICV length the cipher refuses. */
  invalidArgument: () => rtnetlinkError('EINVAL'),
  /** Something Linux accepts that this model does not implement. */
  notModelled: (what: string): IprouteError => ({ ok: false, errno: 'EINVAL', error: `Error: ${what} is not modelled.`, exitCode: 2 }),
} as const;
