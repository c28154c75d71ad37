/**
 * `cnmsim pcap FILE [--at host1:eth0 | --at c1]... [--out DIR] [--seed N]`: runs a scenario with
 * a capture on every device of every namespace (present and future) and writes pcapng: one file
 * per capture point (`DIR/host1_eth0.pcapng`, one interface block named `host1:eth0`), and, when
 * there are several, `DIR/all.pcapng` with one interface block per point. Each packet carries the
 * comment `pkt N rec M`: its packet id and its trace record.
 *
 * Contract: `--at NAME:DEV` selects one point, `--at NAME` every device of a container, machine
 * or `host/netns`; without `--at`, every point that saw a frame. Exit codes as for `run` (the
 * scenario's expectations run too, since they send packets worth capturing); 2 for an `--at`
 * that names nothing.
 * Leaves out: capture filters (open the file in Wireshark and filter there).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { captureSelected, PacketCapture, reportOk, type CapturePoint } from '../scenario/index.js';
import { EXIT, systemMessage, type CliIo } from './io.js';
import { loadFile, runLoaded } from './scenario-file.js';
import { listValues, seedOption } from './usage.js';

interface PcapArgs {
  readonly file: string;
  readonly at?: string[] | undefined;
  readonly out: string;
  readonly seed?: number | undefined;
}

/** `host1:eth0` → `host1_eth0.pcapng` (no path separators or colons in file names). */
export function pcapFileName(point: string): string {
  return `${point.replace(/[^A-Za-z0-9._-]/g, '_')}.pcapng`;
}

export function pcapCommand(io: CliIo): CommandModule<object, PcapArgs> {
  return {
    command: 'pcap <file>',
    describe: 'Run a scenario capturing every device; write pcapng per capture point',
    builder: (y: Argv) =>
      y
        .positional('file', { type: 'string', demandOption: true, describe: 'Scenario YAML file' })
        .option('at', { type: 'string', array: true, describe: 'Capture point: NAME:DEV (host1:eth0, c1:eth0) or NAME (every device of it)' })
        .option('out', { type: 'string', default: 'pcap', describe: 'Directory to write the files to' })
        .option('seed', seedOption) as unknown as Argv<PcapArgs>,
    handler: (args) => {
      const scenario = loadFile(io, args.file);
      if (scenario === undefined) return;
      let capture: PacketCapture | undefined;
      const run = runLoaded(io, scenario, { seed: args.seed, onLab: (lab) => (capture = PacketCapture.attach(lab)) });
      if (capture === undefined) throw new Error('the capture was not attached');
      const at = listValues(args.at);
      const points = capture.points();
      const unknown = at.filter((a) => !points.some((p) => captureSelected(p, [a])) && !isNamedPoint(run.context.place(a.split(':')[0] ?? '') !== undefined, a));
      if (unknown.length > 0) {
        io.invalid(`--at ${unknown.join(', ')}: no such capture point (points with traffic: ${points.map((p) => p.name).join(', ') || 'none'})`);
        return;
      }
      const selected = points.filter((p) => captureSelected(p, at));
      const files = writeFiles(io, args.out, capture, selected, at);
      if (files === undefined) return;
      for (const f of files) io.out(`wrote ${f.path} (${f.packets} packet${f.packets === 1 ? '' : 's'})\n`);
      io.exit(reportOk(run.report) ? EXIT.ok : EXIT.failed);
    },
  };
}

/** `--at c1:eth9` for a device that exists by name but saw nothing still gets an (empty) file. */
function isNamedPoint(ownerExists: boolean, at: string): boolean {
  return ownerExists && at.includes(':');
}

function writeFiles(io: CliIo, out: string, capture: PacketCapture, selected: readonly CapturePoint[], at: readonly string[]): { path: string; packets: number }[] | undefined {
  const files: { path: string; bytes: Uint8Array; packets: number }[] = [];
  for (const p of selected) files.push({ path: join(out, pcapFileName(p.name)), bytes: capture.file((q) => q.name === p.name), packets: p.packets });
  for (const a of at) {
    if (a.includes(':') && !selected.some((p) => p.name === a)) files.push({ path: join(out, pcapFileName(a)), bytes: PacketCapture.emptyFile(a), packets: 0 });
  }
  if (selected.length > 1) {
    const names = new Set(selected.map((p) => p.name));
    files.push({ path: join(out, 'all.pcapng'), bytes: capture.file((q) => names.has(q.name)), packets: selected.reduce((n, p) => n + p.packets, 0) });
  }
  try {
    mkdirSync(io.path(out), { recursive: true });
    for (const f of files) writeFileSync(io.path(f.path), f.bytes);
  } catch (e) {
    io.invalid(`cannot write to ${out}: ${systemMessage(e)}`);
    return undefined;
  }
  return files.map((f) => ({ path: f.path, packets: f.packets }));
}
