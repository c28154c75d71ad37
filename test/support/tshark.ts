// Runs the real tshark (Wireshark's CLI) over captures the simulator wrote, so tests can check
// that an independent dissector reads our bytes: every layer decoded, no malformed packets, no bad
// checksums. Used by test/packet/tshark.test.ts and, later, by kernel tests (VXLAN pcap checks).
// tshark is a required test tool: when it is missing, `requireTshark()` fails with how to install it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The tshark binary: `$TSHARK` when set, otherwise `tshark` on PATH. */
export const TSHARK = process.env['TSHARK'] ?? 'tshark';

export const TSHARK_INSTALL_HINT =
  'tshark (Wireshark CLI) is required by this test but was not found. Install it with ' +
  '`apt-get install -y tshark` (Debian/Ubuntu; answer "no" to the non-root capture question, or set ' +
  'DEBIAN_FRONTEND=noninteractive), `dnf install wireshark-cli`, or `brew install wireshark`, ' +
  'or point $TSHARK at the binary.';

export interface TsharkResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let available: boolean | undefined;

/** Whether tshark can be run here (checked once with `tshark -v`). */
export function tsharkAvailable(): boolean {
  if (available === undefined) {
    const probe = spawnSync(TSHARK, ['-v'], { encoding: 'utf8' });
    available = probe.error === undefined && probe.status === 0;
  }
  return available;
}

/** Throws an error that says how to install tshark when it is not available. */
export function requireTshark(): void {
  if (!tsharkAvailable()) throw new Error(TSHARK_INSTALL_HINT);
}

/** tshark's version line, e.g. `TShark (Wireshark) 4.0.17 (...)`. */
export function tsharkVersion(): string {
  requireTshark();
  return runTshark(['-v']).stdout.split('\n')[0] ?? '';
}

/**
 * Runs tshark with `args` and returns its exit status and output. Reading files needs no
 * privileges; stderr's "Running as user root" warning is stripped. Throws if tshark is missing.
 */
export function runTshark(args: readonly string[]): TsharkResult {
  requireTshark();
  const result = spawnSync(TSHARK, [...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // An empty profile directory, so the user's Wireshark preferences cannot change what the
    // dissectors do; every preference a test relies on is passed with -o.
    env: { ...process.env, WIRESHARK_CONFIG_DIR: emptyConfigDir() },
  });
  if (result.error !== undefined) throw result.error;
  const stderr = result.stderr
    .split('\n')
    .filter((line) => !/^Running as user "root"/.test(line))
    .join('\n')
    .trim();
  return { status: result.status, stdout: result.stdout, stderr };
}

/**
 * `tshark -r file -T fields -E separator=/t -E occurrence=a -E aggregator=| -e f1 -e f2 ...`:
 * one row per frame, one string per field (multiple occurrences joined by `|`, absent = '').
 * `extra` adds options such as `-o ip.check_checksum:TRUE`. Throws if tshark exits non-zero.
 */
export function tsharkFields(file: string, fields: readonly string[], extra: readonly string[] = []): string[][] {
  const args = ['-r', file, '-n', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=|'];
  for (const field of fields) args.push('-e', field);
  const result = runTshark([...args, ...extra]);
  if (result.status !== 0) {
    throw new Error(`tshark exited with ${result.status}: ${result.stderr}`);
  }
  return result.stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const cells = line.split('\t');
      return fields.map((_, i) => cells[i] ?? '');
    });
}

/** A temporary directory for capture files; call `cleanup()` when done. */
export function tempCaptureDir(prefix = 'cnmsim-pcap-'): { readonly dir: string; write(name: string, bytes: Uint8Array): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(name: string, bytes: Uint8Array): string {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      return path;
    },
    cleanup(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function emptyConfigDir(): string {
  const dir = join(tmpdir(), 'cnmsim-wireshark-profile');
  mkdirSync(dir, { recursive: true });
  return dir;
}
