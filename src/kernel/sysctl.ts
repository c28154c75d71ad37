/**
 * The namespace's `/proc/sys/net` tree: the sysctls the model reads.
 *
 * Models: `Documentation/networking/ip-sysctl.rst`; `net/ipv4/devinet.c` (per-device `conf/<if>`
 * copied from `conf/default` when the device appears; writing `ip_forward` or
 * `conf/all/forwarding` sets forwarding on every device, `devinet_forward`; the `IN_DEV_ORCONF`
 * and `IN_DEV_MAXCONF` combinations of `all` and the device value), `net/core/net_namespace.c`
 * (a new namespace copies the IPv4 `all`/`default` values of the creating one).
 * Leaves out: IPv6, neighbour `gc_*` tunables (fixed at their defaults in neighbour.ts).
 */

/** Per-interface IPv4 keys (`net.ipv4.conf.<if>.<key>`) and their kernel defaults. */
const CONF_DEFAULTS: Readonly<Record<string, string>> = {
  forwarding: '0',
  rp_filter: '0',
  route_localnet: '0',
  proxy_arp: '0',
  accept_local: '0',
  arp_ignore: '0',
  arp_announce: '0',
  arp_accept: '0',
  arp_notify: '0',
  send_redirects: '1',
  accept_redirects: '1',
  promote_secondaries: '0',
};

/** Namespace-wide keys and their defaults. */
const GLOBAL_DEFAULTS: Readonly<Record<string, string>> = {
  'net.ipv4.ip_local_port_range': '32768\t60999',
  'net.ipv4.ip_default_ttl': '64',
  'net.ipv4.ping_group_range': '0\t2147483647',
  'net.ipv4.icmp_echo_ignore_all': '0',
  'net.ipv4.icmp_echo_ignore_broadcasts': '1',
  'net.ipv4.icmp_ratelimit': '1000',
  'net.ipv4.icmp_ratemask': '6168',
  'net.ipv4.vs.conntrack': '0',
  'net.netfilter.nf_log_all_netns': '0',
  'net.netfilter.nf_conntrack_tcp_loose': '1',
};

/** How `all` combines with the device's value when the kernel reads a key. */
const COMBINE: Readonly<Record<string, 'or' | 'max' | 'dev'>> = {
  rp_filter: 'max',
  arp_ignore: 'max',
  arp_announce: 'max',
  route_localnet: 'or',
  proxy_arp: 'or',
  accept_local: 'or',
  arp_accept: 'or',
  arp_notify: 'or',
  forwarding: 'dev',
  send_redirects: 'or',
  accept_redirects: 'dev',
  promote_secondaries: 'or',
};

export type SysctlResult = { ok: true; value: string } | { ok: false; error: string };

const CONF_KEYS = Object.keys(CONF_DEFAULTS);
const CONF_INDEX = new Map<string, number>(CONF_KEYS.map((k, i) => [k, i]));

/** Where each per-device key sits in a `confRow`. */
export const CONF = {
  forwarding: 0,
  rp_filter: 1,
  route_localnet: 2,
  proxy_arp: 3,
  accept_local: 4,
  arp_ignore: 5,
  arp_announce: 6,
  arp_accept: 7,
  arp_notify: 8,
  send_redirects: 9,
  accept_redirects: 10,
  promote_secondaries: 11,
} as const;

export class Sysctls {
  private readonly values = new Map<string, string>();
  /**
   * What `conf` answers, per device name: every key's effective value (the `all` combination
   * applied), in `CONF_KEYS` order. The packet path reads these on every packet, so they are
   * kept as numbers and dropped whenever a conf value or the device set changes.
   */
  private readonly confRows = new Map<string, Float64Array>();
  /** `number(key)` answers by the key as given; dropped on every write. */
  private readonly numbers = new Map<string, number>();

  constructor(parent?: Sysctls) {
    for (const [k, v] of Object.entries(GLOBAL_DEFAULTS)) this.values.set(k, v);
    for (const scope of ['all', 'default', 'lo']) {
      for (const [k, v] of Object.entries(CONF_DEFAULTS)) this.values.set(`net.ipv4.conf.${scope}.${k}`, v);
    }
    if (parent !== undefined) {
      for (const scope of ['all', 'default']) {
        for (const k of Object.keys(CONF_DEFAULTS)) {
          const key = `net.ipv4.conf.${scope}.${k}`;
          this.values.set(key, parent.values.get(key) ?? CONF_DEFAULTS[k]!);
        }
      }
    }
  }

  /** `conf/<dev>` appears with the values of `conf/default` (`devinet_init_net` / `inetdev_init`). */
  addDevice(dev: string): void {
    this.invalidate();
    for (const k of Object.keys(CONF_DEFAULTS)) {
      this.values.set(`net.ipv4.conf.${dev}.${k}`, this.values.get(`net.ipv4.conf.default.${k}`)!);
    }
  }

  removeDevice(dev: string): void {
    this.invalidate();
    for (const k of Object.keys(CONF_DEFAULTS)) this.values.delete(`net.ipv4.conf.${dev}.${k}`);
  }

  renameDevice(from: string, to: string): void {
    this.invalidate();
    for (const k of Object.keys(CONF_DEFAULTS)) {
      const v = this.values.get(`net.ipv4.conf.${from}.${k}`);
      this.values.delete(`net.ipv4.conf.${from}.${k}`);
      if (v !== undefined) this.values.set(`net.ipv4.conf.${to}.${k}`, v);
    }
  }

  /** Registers a key that a module brings (br_netfilter's `net.bridge.*`, IPVS's `net.ipv4.vs.*`). */
  define(key: string, value: string): void {
    if (!this.values.has(key)) {
      this.invalidate();
      this.values.set(key, value);
    }
  }

  has(key: string): boolean {
    return this.values.has(normalise(key));
  }

  get(key: string): SysctlResult {
    const k = normalise(key);
    const v = this.values.get(k === 'net.ipv4.ip_forward' ? 'net.ipv4.conf.all.forwarding' : k);
    if (v === undefined) return { ok: false, error: notFound(key) };
    return { ok: true, value: v };
  }

  /** `sysctl -w key=value`. */
  set(key: string, value: string): SysctlResult {
    const k = normalise(key);
    const target = k === 'net.ipv4.ip_forward' ? 'net.ipv4.conf.all.forwarding' : k;
    if (!this.values.has(target)) return { ok: false, error: notFound(key) };
    const v = value.trim();
    if (target.endsWith('.forwarding') && !/^[01]$/.test(v)) return { ok: false, error: `sysctl: setting key "${key}": Invalid argument` };
    this.invalidate();
    this.values.set(target, v);
    if (target === 'net.ipv4.conf.all.forwarding') {
      // devinet_forward: all/forwarding rewrites default and every device.
      for (const key2 of this.values.keys()) if (key2.startsWith('net.ipv4.conf.') && key2.endsWith('.forwarding')) this.values.set(key2, v);
    }
    return { ok: true, value: v };
  }

  /** The value the kernel acts on for `dev`, combining `all` and the device as the kernel does. */
  conf(dev: string, key: keyof typeof CONF_DEFAULTS | string): number {
    const index = CONF_INDEX.get(key);
    if (index === undefined) return this.computeConf(dev, key);
    return this.confRow(dev)[index]!;
  }

  /**
   * Every per-device value `conf` would answer for `dev`, indexed by `CONF`: the packet path
   * reads several per packet with one lookup. Valid until the next write; do not keep it.
   */
  confRow(dev: string): Readonly<Float64Array> {
    let row = this.confRows.get(dev);
    if (row === undefined) {
      row = new Float64Array(CONF_KEYS.length);
      for (let i = 0; i < CONF_KEYS.length; i++) row[i] = this.computeConf(dev, CONF_KEYS[i]!);
      this.confRows.set(dev, row);
    }
    return row;
  }

  private computeConf(dev: string, key: string): number {
    const devValue = Number(this.values.get(`net.ipv4.conf.${dev}.${key}`) ?? CONF_DEFAULTS[key] ?? '0');
    const allValue = Number(this.values.get(`net.ipv4.conf.all.${key}`) ?? '0');
    switch (COMBINE[key] ?? 'dev') {
      case 'or':
        return devValue !== 0 || allValue !== 0 ? 1 : 0;
      case 'max':
        return Math.max(devValue, allValue);
      case 'dev':
        return devValue;
    }
  }

  number(key: string): number {
    let n = this.numbers.get(key);
    if (n === undefined) {
      const r = this.get(key);
      n = r.ok ? Number(r.value.split(/\s+/)[0]) : 0;
      this.numbers.set(key, n);
    }
    return n;
  }

  private invalidate(): void {
    this.confRows.clear();
    this.numbers.clear();
  }

  /** Every key, sorted, as `sysctl -a` lists them (the subset modelled). */
  entries(): [string, string][] {
    const all = [...this.values.entries()];
    all.push(['net.ipv4.ip_forward', this.values.get('net.ipv4.conf.all.forwarding')!]);
    return all.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}

function normalise(key: string): string {
  return key.trim().replace(/\//g, '.');
}

function notFound(key: string): string {
  return `sysctl: cannot stat /proc/sys/${key.trim().replace(/\./g, '/')}: No such file or directory`;
}

// CONF must follow CONF_DEFAULTS' key order.
for (const [k, i] of Object.entries(CONF)) if (CONF_KEYS[i] !== k) throw new Error(`sysctl: CONF.${k} is not at index ${i}`);
