// Golden outputs against the real Docker 20.10 captures in shared/reference/docker-20.10: the
// scenario scripts' docker commands replayed on a simulated host like the capture VM, outputs
// compared exactly, ids and times by shape (64/12 hex characters, RFC 3339).
import { describe, expect, it } from 'vitest';
import { captured, lab, shape, type Lab } from './support.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** `docker network inspect` with `Containers` keyed by name instead of random container ids. */
function byName(text: string): Json {
  const list = JSON.parse(text) as { [k: string]: Json }[];
  return list.map(n => {
    const containers = (n['Containers'] ?? {}) as { [k: string]: { [k: string]: Json } };
    const named = Object.fromEntries(Object.values(containers).map(c => [c['Name'] as string, c]));
    return { ...n, Containers: named };
  }) as Json;
}

function shapeJson(v: Json): Json {
  return JSON.parse(shape(JSON.stringify(v, null, 4))) as Json;
}

function expectSameOutput(l: Lab, file: string, index = 0, command?: string): void {
  const ref = captured(file, index);
  // The capture's `$` line lost the shell quotes around templates; put them back.
  const r = l.docker(command ?? ref.command.replace(/^docker /, '').replace(/-f (\{\{.*\}\}) /, "-f '$1' "));
  // The capture interleaves stderr (warnings first) and stdout; the simulation keeps them apart.
  const ours = shape(r.stderr + r.stdout) === shape(ref.output) ? r.stderr + r.stdout : r.stdout + r.stderr;
  expect(shape(ours)).toBe(shape(ref.output));
  expect(r.exitCode).toBe(ref.exit);
}

describe('01-default-bridge', () => {
  it('docker network ls on a fresh daemon (--no-trunc and truncated)', () => {
    const l = lab();
    expectSameOutput(l, '01-default-bridge/docker-network-ls-fresh.txt');
    expectSameOutput(l, '01-default-bridge/docker-network-ls-after-cleanup.txt');
  });

  it('docker network inspect bridge with c1 and c2, and their NetworkSettings', () => {
    const l = lab();
    expect(l.docker('run -d --name c1 busybox:local sleep 100000').exitCode).toBe(0);
    expect(l.docker('run -d --name c2 busybox:local sleep 100000').exitCode).toBe(0);
    const ours = l.docker('network inspect bridge');
    expect(ours.exitCode).toBe(0);
    expect(shapeJson(byName(ours.stdout))).toEqual(shapeJson(byName(captured('01-default-bridge/net-bridge-inspect.json').output)));
    expectSameOutput(l, '01-default-bridge/ctr-c1-networksettings.json', 0, "inspect -f '{{json .NetworkSettings}}' c1");
    expectSameOutput(l, '01-default-bridge/ctr-c2-networksettings.json', 0, "inspect -f '{{json .NetworkSettings}}' c2");
  });

  it('docker inspect c1, field for field', () => {
    const l = lab();
    l.docker('run -d --name c1 busybox:local sleep 100000');
    expectSameOutput(l, '01-default-bridge/ctr-c1-inspect.json');
  });

  it("the container's /etc/hosts, /etc/resolv.conf and hostname", () => {
    const l = lab();
    l.docker('run -d --name c1 busybox:local sleep 100000');
    expectSameOutput(l, '01-default-bridge/ctr-c1-hosts.txt');
    expectSameOutput(l, '01-default-bridge/ctr-c1-resolv.conf.txt');
    const id = l.docker("inspect -f '{{.Id}}' c1").stdout.trim();
    expect(l.docker('exec c1 hostname').stdout).toBe(`${id.slice(0, 12)}\n`);
    expect(l.docker("inspect -f '{{.NetworkSettings.Gateway}}' c1").stdout).toBe('172.17.0.1\n');
  });
});

describe('02-user-bridge', () => {
  function net57(): Lab {
    const l = lab();
    expectSameOutput(l, '02-user-bridge/net-create.txt');
    for (let i = 0; i < 5; i++) expectSameOutput(l, '02-user-bridge/run.txt', i);
    return l;
  }

  it('creates net57 and runs a1..a5 with the capture outputs (localhost DNS warning included)', () => {
    net57();
  });

  it('a1, a2 and a4 NetworkSettings: range addresses, --ip, aliases with the short id', () => {
    const l = net57();
    for (const c of ['a1', 'a2', 'a3', 'a4', 'a5']) expectSameOutput(l, `02-user-bridge/ctr-${c}-networksettings.json`, 0, `inspect -f '{{json .NetworkSettings}}' ${c}`);
  });

  it('docker network inspect net57 and the containers files', () => {
    const l = net57();
    const ours = l.docker('network inspect net57');
    expect(shapeJson(byName(ours.stdout))).toEqual(shapeJson(byName(captured('02-user-bridge/net-net57-inspect.json').output)));
    expectSameOutput(l, '02-user-bridge/ctr-a1-hosts.txt');
    expectSameOutput(l, '02-user-bridge/ctr-a1-resolv.conf.txt');
    expectSameOutput(l, '02-user-bridge/ctr-a2-inspect.json');
    expectSameOutput(l, '02-user-bridge/ctr-a4-inspect.json');
  });
});

describe('03-two-bridges-connect', () => {
  it('n1..n3, network ls, run, connect and disconnect, rm and pool order', () => {
    const l = lab();
    for (let i = 0; i < 3; i++) expectSameOutput(l, '03-two-bridges-connect/net-create.txt', i);
    expectSameOutput(l, '03-two-bridges-connect/docker-network-ls.txt');
    for (let i = 0; i < 3; i++) expectSameOutput(l, '03-two-bridges-connect/run.txt', i);
    expectSameOutput(l, '03-two-bridges-connect/bx-before-connect-networksettings.json');
    expectSameOutput(l, '03-two-bridges-connect/connect.txt');
    expectSameOutput(l, '03-two-bridges-connect/ctr-bx-networksettings.json');
    expectSameOutput(l, '03-two-bridges-connect/ctr-b1-networksettings.json');
    expectSameOutput(l, '03-two-bridges-connect/net-n3-inspect.json');
    expect(shapeJson(byName(l.docker('network inspect n1').stdout))).toEqual(shapeJson(byName(captured('03-two-bridges-connect/net-n1-inspect.json').output)));
    expectSameOutput(l, '03-two-bridges-connect/disconnect.txt');
    expect(l.docker('rm -f b1 b2 bx').stdout).toBe('b1\nb2\nbx\n');
    expectSameOutput(l, '03-two-bridges-connect/net-rm.txt');
    for (let i = 3; i < 5; i++) expectSameOutput(l, '03-two-bridges-connect/net-create.txt', i);
    expect(l.docker("network inspect -f '{{json .IPAM.Config}}' n4 n5").stdout).toBe('[{"Subnet":"172.21.0.0/16","Gateway":"172.21.0.1"}]\n[{"Subnet":"172.22.0.0/16","Gateway":"172.22.0.1"}]\n');
  });
});

describe('04-port-publishing', () => {
  function published(): Lab {
    const l = lab();
    // The capture daemon had handed out 172.18 ... 172.23 in the scenarios before (the pool
    // pointer moves on round-robin, facts 49), so pubnet got 172.24: replay that history.
    for (let i = 0; i < 6; i++) {
      expect(l.docker(`network create earlier${i}`).exitCode).toBe(0);
      expect(l.docker(`network rm earlier${i}`).stdout).toBe(`earlier${i}\n`);
    }
    for (let i = 0; i < 5; i++) expectSameOutput(l, '04-port-publishing/run.txt', i);
    expectSameOutput(l, '04-port-publishing/net-create.txt');
    for (let i = 5; i < 7; i++) expectSameOutput(l, '04-port-publishing/run.txt', i);
    return l;
  }

  it('docker port for every publishing form (the ephemeral port is the allocator\'s first)', () => {
    const l = published();
    for (const i of [0, 1, 2, 4]) expectSameOutput(l, '04-port-publishing/docker-port.txt', i);
    const h4 = l.docker('port h4');
    expect(h4.stdout).toMatch(/^80\/tcp -> 0\.0\.0\.0:(3276\d)\n80\/tcp -> :::\1\n$/);
  });

  it("docker ps --no-trunc --format '{{.Names}}\\t{{.Ports}}' (newest first)", () => {
    const l = published();
    const ref = captured('04-port-publishing/docker-ps.txt');
    const ours = l.docker("ps --no-trunc --format '{{.Names}}\\t{{.Ports}}'");
    expect(ours.stdout.replace(/3276\d/g, 'EPH')).toBe(ref.output.replace(/3276\d/g, 'EPH'));
  });

  it('NetworkSettings.Ports of h1, h2, u1 and h3, and pubnet inspect', () => {
    const l = published();
    for (const c of ['h1', 'h2', 'u1', 'h3', 'cl', 'cl2']) expectSameOutput(l, `04-port-publishing/ctr-${c}-networksettings.json`, 0, `inspect -f '{{json .NetworkSettings}}' ${c}`);
    expectSameOutput(l, '04-port-publishing/ctr-h1-inspect.json');
    expect(shapeJson(byName(l.docker('network inspect pubnet').stdout))).toEqual(shapeJson(byName(captured('04-port-publishing/net-pubnet-inspect.json').output)));
    const fetched = l.exec('cl', 'wget -qO- http://172.17.0.1:8080/');
    expect(fetched.stdout).toBe('hello from busybox httpd\n');
  });
});
