// Reads the reference captures (/work/shared/reference/docker-20.10 or the copy named by
// CNMSIM_REFERENCE): blocks of `$ command`, its output, `[exit=N]`. Also the normalisations the
// comparisons need: IPv6 lines (not modelled) and live timers removed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REFERENCE_DIR = process.env['CNMSIM_REFERENCE'] ?? '/work/shared/reference/docker-20.10';

export function haveReference(): boolean {
  return existsSync(REFERENCE_DIR);
}

export interface Block {
  readonly command: string;
  readonly output: string;
  readonly exit: number;
}

/** The blocks of one capture file. */
export function capture(relPath: string): Block[] {
  const text = readFileSync(join(REFERENCE_DIR, relPath), 'utf8');
  const blocks: Block[] = [];
  let command: string | undefined;
  let out: string[] = [];
  for (const line of text.split('\n')) {
    if (command === undefined) {
      if (line.startsWith('$ ')) {
        command = line.slice(2);
        out = [];
      }
      continue;
    }
    const m = /^\[exit=(\d+)\]$/.exec(line);
    if (m !== null) {
      blocks.push({ command, output: out.map(l => `${l}\n`).join(''), exit: Number(m[1]) });
      command = undefined;
      continue;
    }
    out.push(line);
  }
  return blocks;
}

/** The output of the first block of a capture file. */
export function captured(relPath: string): string {
  const b = capture(relPath)[0];
  if (b === undefined) throw new Error(`no block in ${relPath}`);
  return b.output;
}

/** Drops `inet6` address records (two lines each) and IPv6 routes. */
export function withoutInet6(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.startsWith('    inet6 ')) {
      i++;
      continue;
    }
    out.push(lines[i]!);
  }
  return out.join('\n');
}

/** Drops the `self` entries of `bridge fdb show` (device multicast lists: IPv6 and IGMP). */
export function withoutSelfEntries(text: string): string {
  return text
    .split('\n')
    .filter(l => !/ self permanent$/.test(l))
    .join('\n');
}

/** Zeroes the bridge timers `ip -d link` prints (they run on the real host's clock). */
export function zeroTimers(text: string): string {
  return text.replace(/(hello_timer|tcn_timer|topology_change_timer|gc_timer|hold_timer|message_age_timer|forward_delay_timer) +[\d.]+/g, (_m, name: string) => `${name}    0.00`);
}

/** Drops the device blocks (header line and continuation lines) of the named devices. */
export function withoutDevices(text: string, names: readonly string[]): string {
  const out: string[] = [];
  let skip = false;
  for (const line of text.split('\n')) {
    const head = /^\d+: ([^:@]+)[:@]/.exec(line);
    if (head !== null) skip = names.includes(head[1]!);
    if (!skip) out.push(line);
  }
  return out.join('\n');
}
