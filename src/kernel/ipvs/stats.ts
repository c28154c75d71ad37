/**
 * IPVS counters and the rate estimator behind `ipvsadm -L --stats` and `--rate`.
 *
 * Models: `struct ip_vs_stats` / `ip_vs_kstats` (conns, inpkts, outpkts, inbytes, outbytes;
 * `ip_vs_in_stats`, `ip_vs_out_stats`, `ip_vs_conn_stats` in ip_vs_core.c) and the classic
 * estimator of net/netfilter/ipvs/ip_vs_est.c (before the 6.2 kthread rewrite): every 2 seconds
 * each rate moves a quarter of the way to the last interval's rate, kept scaled (packets and
 * connections by 2^10, bytes by 2^5); `ip_vs_read_estimator` rounds them back.
 *
 *   rate  = (count - last) << 9          (<< 4 for bytes: scaled, and divided by 2 seconds)
 *   est  += (rate - est) >> 2
 *   shown = (est + 0x1FF) >> 10           ((est + 0xF) >> 5 for bytes)
 *
 * Time: nothing is scheduled. The 2-second ticks (at multiples of 2 s from the namespace's IPVS
 * start) are replayed lazily before each counter change and each read; counters are constant
 * between changes, so the result equals the kernel's timer. A packet at exactly a tick instant
 * counts in the following interval.
 * Leaves out: the per-CPU split of the counters, `/proc/net/ip_vs_stats`, `ipvsadm -Z` of rates
 * beyond resetting them with the counters.
 */
import type { Instant } from '../../engine/index.js';

export const EST_INTERVAL_NS = 2_000_000_000;

export interface IpvsCounters {
  conns: number;
  inpkts: number;
  outpkts: number;
  inbytes: number;
  outbytes: number;
}

export interface IpvsRates {
  readonly cps: number;
  readonly inpps: number;
  readonly outpps: number;
  readonly inbps: number;
  readonly outbps: number;
}

const KEYS = ['conns', 'inpkts', 'outpkts', 'inbytes', 'outbytes'] as const;

function zero(): IpvsCounters {
  return { conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0 };
}

export class IpvsStats {
  readonly counters: IpvsCounters = zero();
  private last: IpvsCounters = zero();
  /** Scaled estimates, in the order of KEYS. */
  private readonly est = [0, 0, 0, 0, 0];
  private tick: number;

  constructor(
    private readonly epoch: Instant,
    now: Instant,
  ) {
    this.tick = Math.floor((now - epoch) / EST_INTERVAL_NS);
  }

  /** Replays the estimator ticks up to `now` (`estimation_timer`). */
  advance(now: Instant): void {
    const target = Math.floor((now - this.epoch) / EST_INTERVAL_NS);
    while (this.tick < target) {
      this.tick++;
      let moving = false;
      KEYS.forEach((k, i) => {
        const delta = this.counters[k] - this.last[k];
        const rate = i < 3 ? delta * 512 : delta * 16;
        const before = this.est[i]!;
        this.est[i] = before + Math.floor((rate - before) / 4);
        if (this.est[i] !== before || delta !== 0) moving = true;
      });
      this.last = { ...this.counters };
      // Nothing changes any more once every estimate is steady: skip the idle ticks.
      if (!moving) this.tick = target;
    }
  }

  /** `ip_vs_conn_stats`: one more connection scheduled. */
  conn(now: Instant): void {
    this.advance(now);
    this.counters.conns++;
  }

  /** `ip_vs_in_stats` (request direction) or `ip_vs_out_stats` (reply direction). */
  packet(now: Instant, dir: 'in' | 'out', bytes: number): void {
    this.advance(now);
    if (dir === 'in') {
      this.counters.inpkts++;
      this.counters.inbytes += bytes;
    } else {
      this.counters.outpkts++;
      this.counters.outbytes += bytes;
    }
  }

  /** `ip_vs_read_estimator`. */
  rates(now: Instant): IpvsRates {
    this.advance(now);
    const [cps, inpps, outpps, inbps, outbps] = this.est as [number, number, number, number, number];
    return {
      cps: Math.floor((cps + 0x1ff) / 1024),
      inpps: Math.floor((inpps + 0x1ff) / 1024),
      outpps: Math.floor((outpps + 0x1ff) / 1024),
      inbps: Math.floor((inbps + 0xf) / 32),
      outbps: Math.floor((outbps + 0xf) / 32),
    };
  }

  /** `ip_vs_zero_stats` (`ipvsadm -Z`): counters and estimates back to zero. */
  zero(now: Instant): void {
    this.advance(now);
    Object.assign(this.counters, zero());
    this.last = zero();
    this.est.fill(0);
  }
}
