/**
 * Normalisers for comparing the simulator's output with the reference captures by SHAPE where
 * real Docker and the kernel draw random values: network, container, endpoint and sandbox ids
 * (64 hex, shown as 12), bridge names `br-<id12>`, veth names `veth<7 hex>`, the random MACs of
 * bridges, host-side veths and the host NIC, interface indexes (the capture host had two `ifb`
 * devices the simulated host has not), process ids. Each distinct value gets a placeholder
 * numbered by order of first appearance (`<ID1>`, `<VETH2>`, `<MAC1>`, `<IF3>`), so a text keeps
 * its structure (the same id in two places stays the same placeholder) while the values drop out.
 *
 * Also removed, on both sides, because the simulator does not model them (reference README):
 * IPv6 (`inet6` lines, IPv6 multicast FDB entries), `ifb` devices of the capture VM, and
 * IPv4 multicast group memberships in `bridge fdb` (`01:00:5e:...` `self permanent`).
 * Deterministic values (container MACs `02:42` + IPv4, addresses, routes, rules) are never touched.
 */

/** Placeholders for one comparison side: each kind numbers its values by first appearance. */
export class Placeholders {
  private readonly kinds = new Map<string, Map<string, number>>();

  /** The number of `value` among `kind`'s values (1-based, by first appearance). */
  number(kind: string, value: string): number {
    let m = this.kinds.get(kind);
    if (m === undefined) {
      m = new Map();
      this.kinds.set(kind, m);
    }
    let n = m.get(value);
    if (n === undefined) {
      n = m.size + 1;
      m.set(value, n);
    }
    return n;
  }

  get(kind: string, value: string): string {
    return `<${kind}${this.number(kind, value)}>`;
  }
}

const HEX64 = /\b[0-9a-f]{64}\b/gu;
const HEX12 = /\b[0-9a-f]{12}\b/gu;

/**
 * Docker ids: a 64-hex id becomes `<IDn>`, a 12-hex short id `<IDn/12>` with the same n as the
 * full id it starts (the full ids in the text are numbered first, in order of appearance).
 */
export function normaliseIds(text: string, ph: Placeholders): string {
  for (const m of text.matchAll(HEX64)) ph.number('ID', m[0].slice(0, 12));
  return text.replace(HEX64, (id) => ph.get('ID', id.slice(0, 12))).replace(HEX12, (id) => `<ID${ph.number('ID', id)}/12>`);
}

/** veth names `veth<7 hex>` (libnetwork's `netutils.GenerateIfaceName("veth", 7)`). */
export function normaliseVeths(text: string, ph: Placeholders): string {
  return text.replace(/\bveth[0-9a-f]{7}\b/gu, (name) => ph.get('VETH', name));
}

/** Every id-like value of a free text: ids, bridge names (via their id), veth names. */
export function normaliseText(text: string, ph: Placeholders): string {
  return normaliseVeths(normaliseIds(text, ph), ph);
}

const MAC = /\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b/gu;

/** Devices whose MAC is random: bridges (docker0, br-*), host-side veths, the host NIC. */
function randomMacDevice(name: string): boolean {
  return name === 'docker0' || name.startsWith('br-') || /^veth[0-9a-f]{7}$/u.test(name) || name === 'eth0';
}

/**
 * `ip addr` / `ip link` output: device blocks without IPv6 and ifb devices; interface indexes,
 * random MACs (see `randomMacDevice`; a container's `eth0@ifN` keeps its MAC), veth names and
 * bridge ids by shape.
 */
export function normaliseIpAddr(text: string, ph: Placeholders): string {
  const out: string[] = [];
  let skipDevice = false;
  let skipLft = false;
  let randomMac = false;
  for (const line of text.split('\n')) {
    const head = /^(\d+): ([^:@\s]+)(@[^:\s]+)?: (.*)$/u.exec(line);
    if (head !== null) {
      const [, , name = '', peer] = head;
      skipDevice = name.startsWith('ifb');
      // A container's eth0 has a peer (`eth0@if11`); the host NIC has none.
      randomMac = randomMacDevice(name) && !(name === 'eth0' && peer !== undefined);
      if (skipDevice) continue;
      out.push(renumberIfindex(line, ph));
      skipLft = false;
      continue;
    }
    if (skipDevice) continue;
    if (/^\s+inet6 /u.test(line)) {
      skipLft = true;
      continue;
    }
    if (skipLft && /^\s+valid_lft /u.test(line)) {
      skipLft = false;
      continue;
    }
    skipLft = false;
    if (randomMac && /^\s+link\/ether /u.test(line)) {
      out.push(line.replace(/link\/ether (\S+)/u, (_, mac: string) => `link/ether ${ph.get('MAC', mac)}`));
      continue;
    }
    out.push(line);
  }
  return normaliseText(out.join('\n'), ph);
}

/**
 * `ip -d link`: as `ip addr`, plus the bridge ids (`8000.2:42:85:26:89:20`, the bridge's random
 * MAC) by shape, the bridge and port timers (they tick with wall-clock time) blanked, and the host
 * NIC's hardware details (the capture VM's virtio NIC: `maxmtu`, `tso_max_size`, `parentbus`,
 * `parentdev`) left out.
 */
export function normaliseIpDetailLink(text: string, ph: Placeholders): string {
  let hostNic = false;
  const lines = text.split('\n').map((line) => {
    const head = /^\d+: ([^:@\s]+)(@[^:\s]+)?: /u.exec(line);
    if (head !== null) hostNic = head[1] === 'eth0' && head[2] === undefined;
    let l = line
      .replace(/\b(8000\.)([0-9a-f]{1,2}(?::[0-9a-f]{1,2}){5})\b/gu, (_, p: string, id: string) => `${p}${ph.get('BRID', id)}`)
      .replace(/\b(\w+_timer)\s+[\d.]+/gu, '$1 <T>');
    if (hostNic) l = l.replace(/ (maxmtu|tso_max_size) \d+/gu, ' $1 <HW>').replace(/ parentbus \S+ parentdev \S+/u, '');
    return l;
  });
  return normaliseIpAddr(lines.join('\n'), ph);
}

/** `N: name@ifM:` and `link-netnsid` kept; N and M by first appearance. */
function renumberIfindex(line: string, ph: Placeholders): string {
  return line.replace(/^(\d+):/u, (_, n: string) => `${ph.get('IF', n)}:`).replace(/@if(\d+):/u, (_, n: string) => `@${ph.get('IF', n)}:`);
}

/** `ip route`: no random values (bridge names by shape). */
export function normaliseIpRoute(text: string, ph: Placeholders): string {
  return normaliseText(text, ph);
}

/**
 * `iptables-save`: without its `#` comment lines (dates), bridge names by shape, and the random
 * ports of the embedded DNS server (`127.0.0.11:<port>` in a container's DOCKER_OUTPUT and
 * DOCKER_POSTROUTING rules) by shape.
 */
export function normaliseIptablesSave(text: string, ph: Placeholders): string {
  return normaliseText(
    text
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.replace(/(--to-destination 127\.0\.0\.11:)(\d+)/u, (_, p: string, port: string) => `${p}${ph.get('PORT', port)}`))
      .map((l) => (l.includes('-s 127.0.0.11/32') ? l.replace(/(--sport )(\d+)/u, (_, p: string, port: string) => `${p}${ph.get('PORT', port)}`) : l))
      .join('\n'),
    ph,
  );
}

/** `ip -br link`: without ifb devices; random MACs (see `randomMacDevice`) by shape. */
export function normaliseIpBrief(text: string, ph: Placeholders): string {
  const kept = text
    .split('\n')
    .filter((l) => !l.startsWith('ifb'))
    .map((l) => {
      const m = /^(\S+?)(@\S+)?\s/u.exec(l);
      if (m === null || !randomMacDevice(m[1]!) || (m[1] === 'eth0' && m[2] !== undefined)) return l;
      return l.replace(MAC, (mac) => ph.get('MAC', mac));
    });
  return normaliseText(kept.join('\n'), ph);
}

/**
 * `bridge fdb show`: without IPv6/IPv4 multicast memberships (`33:33:*`, `01:00:5e:*`) and ifb
 * devices; random MACs of bridges and host-side veths by shape (learned container MACs kept).
 */
export function normaliseBridgeFdb(text: string, ph: Placeholders): string {
  const kept = text
    .split('\n')
    .filter((l) => !/^(33:33|01:00:5e):/u.test(l) && !/ dev ifb\d/u.test(l))
    .map((l) => {
      const m = /^(\S+) dev (\S+) (.*)$/u.exec(l);
      if (m === null) return l;
      const [, mac = '', dev = '', rest = ''] = m;
      // Permanent entries are the ports' own (random) addresses; learned ones are containers'.
      const own = rest.includes('permanent') && randomMacDevice(dev);
      return `${own ? ph.get('MAC', mac) : mac} dev ${dev} ${rest}`;
    });
  return normaliseText(kept.join('\n'), ph);
}

/**
 * `brctl show`: the bridge id is `8000.<bridge MAC without colons>`. brctl sorts bridges (and each
 * bridge's ports) by name, and names like br-<id12> and veth<7 hex> are random, so each bridge's
 * block is normalised on its own and the blocks are compared as a sorted list.
 */
export function normaliseBrctlShow(text: string, _ph: Placeholders): string[] {
  const [header = '', ...rest] = text.split('\n');
  const blocks: string[][] = [];
  for (const line of rest) {
    if (line.trim() === '') continue;
    if (/^\S/u.test(line) || blocks.length === 0) blocks.push([line]);
    else blocks[blocks.length - 1]!.push(line);
  }
  const one = (block: string[]): string => {
    const ph = new Placeholders();
    const body = block.join('\n').replace(/\b8000\.([0-9a-f]{12})\b/gu, (_, mac: string) => `8000.${ph.get('MAC', mac.replace(/(..)(?!$)/gu, '$1:'))}`);
    return normaliseText(body, ph);
  };
  return [header, ...blocks.map(one).sort()];
}

/**
 * `ip neigh`: the kernel dumps its hash table, so the order is random: lines are sorted. A MAC
 * that is not Docker's `02:42` + the entry's IPv4 address (a bridge's own MAC) is by shape.
 */
export function normaliseNeigh(text: string, ph: Placeholders): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+) .*lladdr (\S+)/u.exec(l);
      if (m === null) return l;
      const derived = `02:42:${m.slice(1, 5).map((b) => Number(b).toString(16).padStart(2, '0')).join(':')}`;
      return m[5] === derived ? l : l.replace(m[5]!, ph.get('MAC', m[5]!));
    })
    .map((l) => normaliseText(l, ph))
    .sort();
}

/** MACs anywhere in a text, when every MAC in it is random. */
export function normaliseMacs(text: string, ph: Placeholders): string {
  return text.replace(MAC, (mac) => ph.get('MAC', mac));
}

/** A JSON document with every id-like string by shape (keys too: `Containers` is keyed by id). */
export function normaliseJson(value: unknown, ph: Placeholders): unknown {
  if (typeof value === 'string') return normaliseText(value, ph);
  if (Array.isArray(value)) return value.map((v) => normaliseJson(v, ph));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[normaliseText(k, ph)] = normaliseJson(v, ph);
    return out;
  }
  return value;
}

/** Picks `paths` (dot-separated; `*` walks every key of an object) out of a JSON value. */
export function pick(value: unknown, paths: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const path of paths) walk(value, path.split('.'), '', out);
  return out;
}

function walk(node: unknown, segs: readonly string[], prefix: string, out: Record<string, unknown>): void {
  if (segs.length === 0) {
    out[prefix] = node;
    return;
  }
  const [seg, ...rest] = segs;
  if (node === null || typeof node !== 'object') {
    out[[prefix, ...segs].filter((s) => s !== '').join('.')] = '(missing)';
    return;
  }
  const obj = node as Record<string, unknown>;
  const keys = seg === '*' ? Object.keys(obj).sort() : [seg!];
  for (const k of keys) walk(obj[k], rest, prefix === '' ? k : `${prefix}.${k}`, out);
}

/**
 * `conntrack -L`: the set of distinct flows, each as `proto state orig-tuple reply-tuple flags`
 * with the client's ephemeral port (`sport` of the original direction, `dport` of the reply) and
 * the timeout left out, so flows from repeated fetches coincide. IGMP flows (`unknown 2`, reports
 * to 224.0.0.22 when a bridge comes up) are left out: multicast is not modelled. conntrack's
 * summary line goes to stderr and was interleaved anywhere in the capture; it is removed.
 */
export function normaliseConntrack(text: string): string[] {
  const flows = new Set<string>();
  const clean = text.replace(/conntrack v[\d.]+ \(conntrack-tools\): \d+ flow entries have been shown\.\n?/gu, '');
  for (const line of clean.split('\n')) {
    const m = /^(\w+)\s+(\d+) (\d+) (?:([A-Z_]+) )?(.*)$/u.exec(line);
    if (m === null) continue;
    const [, proto = '', num = '', , state = '', rest = ''] = m;
    if (proto === 'unknown' && num === '2') continue;
    let srcCount = 0;
    const tuple = rest
      .replace(/\b(src=)/gu, (w) => `${++srcCount > 1 ? '| ' : ''}${w}`)
      .split('| ')
      .map((half, i) => half.replace(i === 0 ? /sport=\d+/u : /dport=\d+/u, i === 0 ? 'sport=*' : 'dport=*'))
      .join('')
      .replace(/ mark=0 use=1$/u, '');
    flows.add(`${proto} ${state} ${tuple}`.replace(/\s+/gu, ' ').trim());
  }
  return [...flows].sort();
}

/**
 * `iptables-save -c`, the counters of the rules a run created itself (per container: the filter
 * DOCKER ACCEPT, the nat POSTROUTING hairpin MASQUERADE and DOCKER DNAT rules, all naming a
 * container address); the other rules were older than the capture run and counted earlier
 * scripts' traffic too. Packets only: see the golden test for bytes.
 */
export function normaliseOwnRuleCounters(text: string, ph: Placeholders): string[] {
  return text
    .split('\n')
    .filter((l) => /^\[\d+:\d+\] /u.test(l) && (/\/32 .*-j (ACCEPT|MASQUERADE)$/u.test(l) || / -j DNAT /u.test(l)))
    .map((l) => normaliseText(l.replace(/^\[(\d+):\d+\]/u, '[$1 packets]'), ph));
}
