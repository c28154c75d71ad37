// Packet capture of a whole run: taps on every device of every namespace, those created during
// the steps included; one interface block per capture point named `owner:dev`; every frame's
// comment links it to its packet and the device's own receive/transmit record; tshark reads the
// files with every layer decoded, no malformed frame and no bad checksum.
import { afterAll, describe, expect, it } from 'vitest';
import { captureSelected, PacketCapture, type CapturePoint } from '../../../src/scenario/index.js';
import { tempCaptureDir, tsharkFields } from '../../support/tshark.js';
import { DOCKER_BRIDGE, HAND_BUILT, kernelOnlyServices, runYaml } from './support.js';

function captured(yaml: string, plain: boolean): { capture: PacketCapture; records: ReturnType<typeof runYaml>['lab']['world']['trace']['records'] } {
  let capture: PacketCapture | undefined;
  const run = runYaml(yaml, { ...(plain ? { services: kernelOnlyServices } : {}), onLab: (lab) => (capture = PacketCapture.attach(lab)) });
  return { capture: capture!, records: run.lab.world.trace.records };
}

const tmp = tempCaptureDir();
afterAll(() => tmp.cleanup());

describe('PacketCapture', () => {
  const { capture, records } = captured(HAND_BUILT, true);
  const points = capture.points();

  it('names each capture point after its owner and device, devices made by the steps included', () => {
    const names = points.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['client:eth0', 'host1:eth0', 'host1:br0', 'host1:vb', 'host1/b:eth0']));
    expect(points.every((p) => p.packets > 0)).toBe(true);
  });

  it('links every frame to its packet and to the receive or transmit record of that device', () => {
    const file = tmp.write('hand-built.pcapng', capture.file());
    const rows = tsharkFields(file, ['frame.interface_name', 'frame.comment']);
    expect(rows.length).toBe(points.reduce((n, p) => n + p.packets, 0));
    for (const [iface, comment] of rows) {
      const m = /^pkt (\d+) rec (\d+)$/.exec(comment!);
      expect(m, comment).not.toBeNull();
      const r = records[Number(m![2])]!;
      expect(r.packetId).toBe(Number(m![1]));
      expect(['receive', 'transmit']).toContain(r.kind);
      expect(iface!.endsWith(`:${r.location.device!}`)).toBe(true);
    }
  });

  it('selects points by name or by owner', () => {
    const p = (name: string, owner: string): CapturePoint => ({ name, owner, device: name.split(':')[1]!, packets: 1 });
    expect(captureSelected(p('host1:eth0', 'host1'), ['host1'])).toBe(true);
    expect(captureSelected(p('host1:eth0', 'host1'), ['host1:eth0'])).toBe(true);
    expect(captureSelected(p('host1:eth0', 'host1'), ['c1'])).toBe(false);
    expect(captureSelected(p('host1:eth0', 'host1'), [])).toBe(true);
  });

  it('writes one interface block per selected point', () => {
    const file = tmp.write('two.pcapng', capture.file((q) => q.name === 'client:eth0' || q.name === 'host1/b:eth0'));
    const ifaces = new Set(tsharkFields(file, ['frame.interface_name']).map((r) => r[0]));
    expect([...ifaces].sort()).toEqual(['client:eth0', 'host1/b:eth0']);
  });
});

describe('captures of a Docker run', () => {
  const { capture } = captured(DOCKER_BRIDGE, false);

  it('names container devices after the container', () => {
    const names = capture.points().map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['c1:eth0', 'web:eth0']));
    expect(names.some((n) => /^host1:veth[0-9a-f]{7}$/.test(n))).toBe(true);
  });

  it('is read by tshark without malformed frames or bad checksums', () => {
    const file = tmp.write('docker.pcapng', capture.file());
    const fields = ['frame.protocols', '_ws.malformed', 'ip.checksum.status', 'tcp.checksum.status', 'udp.checksum.status', 'icmp.checksum.status'];
    const rows = tsharkFields(file, fields, ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE']);
    expect(rows.length).toBeGreaterThan(20);
    const problems = rows.flatMap(([protocols, malformed, ...statuses], i) => {
      const bad = statuses.flatMap((s) => s!.split('|')).filter((s) => s === '0');
      return malformed !== '' || bad.length > 0 || !protocols!.startsWith('eth:ethertype:') ? [`frame ${i + 1}: ${protocols} ${malformed} ${statuses.join(',')}`] : [];
    });
    expect(problems).toEqual([]);
    expect(rows.some(([protocols]) => protocols!.includes(':tcp'))).toBe(true);
  });

  it('gives a point that saw nothing an empty file with its interface block', () => {
    const file = tmp.write('empty.pcapng', PacketCapture.emptyFile('c1:eth9'));
    expect(tsharkFields(file, ['frame.number'])).toEqual([]);
  });
});
