// Container lifecycle on the simulated daemon: run attached and detached, generated names and
// hostnames, stop in virtual time (PID 1 ignores SIGTERM), restart, --rm, restart policies,
// host/none/container networking, network connect/disconnect on a running container, and the
// DockerEngine view the scenario runner uses.
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { lab } from './support.js';

describe('docker run', () => {
  it('runs the command attached, prints its output and returns its status', () => {
    const l = lab();
    expect(l.docker('run busybox echo hello world')).toEqual({ stdout: 'hello world\n', stderr: '', exitCode: 0 });
    expect(l.docker('run busybox false').exitCode).toBe(1);
    expect(l.docker("run busybox sh -c 'echo one; false || echo two'").stdout).toBe('one\ntwo\n');
  });

  it('exits at once for busybox sh without -i; -dit keeps it running', () => {
    const l = lab();
    l.docker('run -d --name quick busybox');
    l.docker('run -dit --name shell busybox');
    expect(l.docker("inspect -f '{{.State.Status}} {{.State.ExitCode}}' quick shell").stdout).toBe('exited 0\nrunning 0\n');
    expect(l.docker('ps --format {{.Names}}').stdout).toBe('shell\n');
  });

  it('names containers adjective_surname from the seed, and hostnames them with the short id', () => {
    const names = (seed: number): string => {
      const l = lab(seed);
      l.docker('run -d busybox sleep 100');
      return l.docker("ps --format '{{.Names}}'").stdout.trim();
    };
    expect(names(3)).toMatch(/^[a-z]+_[a-z]+$/);
    expect(names(3)).toBe(names(3));
    const l = lab();
    const id = l.docker('run -d --name c1 busybox sleep 100').stdout.trim();
    expect(l.exec('c1', 'hostname').stdout).toBe(`${id.slice(0, 12)}\n`);
    l.docker('run -d --name c2 --hostname myhost busybox sleep 100');
    expect(l.exec('c2', 'hostname').stdout).toBe('myhost\n');
    expect(l.exec('c2', 'cat /etc/hosts').stdout).toMatch(/172\.17\.0\.3\tmyhost\n$/);
  });

  it('removes an --rm container when it ends', () => {
    const l = lab();
    expect(l.docker('run --rm --name tmp1 busybox echo bye').stdout).toBe('bye\n');
    expect(l.docker('ps -aq').stdout).toBe('');
    l.docker('run -d --rm --name tmp2 busybox sleep 5');
    expect(l.docker('ps -q').stdout).not.toBe('');
    l.world.engine.runFor(6 * SECOND);
    expect(l.docker('ps -aq').stdout).toBe('');
  });

  it('restarts on failure up to the retry count', () => {
    const l = lab();
    l.docker('run -d --name flaky --restart on-failure:2 busybox false');
    l.world.engine.runFor(5 * SECOND);
    expect(l.docker("inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' flaky").stdout).toBe('exited 1 2\n');
  });
});

describe('stop, restart, rm', () => {
  it('waits 10 s of virtual time for a PID 1 that ignores SIGTERM, then kills it (137)', () => {
    const l = lab();
    l.docker('run -d --name c1 busybox sleep 1000');
    const t0 = l.world.engine.now;
    expect(l.docker('stop c1').stdout).toBe('c1\n');
    expect(l.world.engine.now - t0).toBe(10 * SECOND);
    expect(l.docker("inspect -f '{{.State.Status}} {{.State.ExitCode}}' c1").stdout).toBe('exited 137\n');
    l.docker('start c1');
    const t1 = l.world.engine.now;
    l.docker('stop -t 2 c1');
    expect(l.world.engine.now - t1).toBe(2 * SECOND);
  });

  it('stops nginx at once (it handles its stop signal) and exits 0', () => {
    const l = lab();
    l.docker('run -d --name web nginx');
    const t0 = l.world.engine.now;
    l.docker('stop web');
    expect(l.world.engine.now).toBe(t0);
    expect(l.docker("ps -a --format '{{.Status}}'").stdout).toBe('Exited (0) Less than a second ago\n');
  });

  it('prints ps statuses and creation times from virtual time', () => {
    const l = lab();
    l.docker('run -d --name c1 busybox sleep 100000');
    l.world.engine.runFor(90 * SECOND);
    const out = l.docker('ps').stdout.split('\n');
    expect(out[0]).toBe('CONTAINER ID   IMAGE     COMMAND          CREATED              STATUS              PORTS     NAMES');
    expect(out[1]).toMatch(/^[0-9a-f]{12}   busybox   "sleep 100000"   About a minute ago   Up About a minute             c1$/);
    l.docker('rm -f c1');
    expect(l.docker('ps').stdout).toBe('CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n');
  });

  it('keeps the address across restart and frees it on rm', () => {
    const l = lab();
    l.docker('run -d --name c1 busybox sleep 100000');
    l.docker('restart -t 0 c1');
    expect(l.docker("inspect -f '{{.NetworkSettings.IPAddress}} {{.State.Status}}' c1").stdout).toBe('172.17.0.2 running\n');
    expect(l.docker('rm -f c1').stdout).toBe('c1\n');
    l.docker('run -d --name c2 busybox sleep 100000');
    expect(l.docker("inspect -f '{{.NetworkSettings.IPAddress}}' c2").stdout).toBe('172.17.0.2\n');
  });

  it('empties the network settings of a stopped container but keeps its networks', () => {
    const l = lab();
    l.docker('network create n1');
    l.docker('run -d --name c1 --network n1 busybox sleep 1000');
    l.docker('stop -t 0 c1');
    expect(l.docker("inspect -f '{{json .NetworkSettings.Networks.n1.Aliases}} [{{.NetworkSettings.Networks.n1.IPAddress}}] [{{.NetworkSettings.SandboxID}}]' c1").stdout).toMatch(/^\["[0-9a-f]{12}"\] \[\] \[\]\n$/);
    expect(l.docker('network prune -f').stdout).toBe('Deleted Networks:\nn1\n\n');
  });
});

describe('networking of containers', () => {
  it('joins the host network: host hostname and files, ports discarded with a warning', () => {
    const l = lab();
    const r = l.docker('run --network host -p 80:80 busybox hostname');
    expect(r.stdout).toBe('vm\n');
    expect(r.stderr).toBe('WARNING: Published ports are discarded when using host network mode\n');
    expect(l.docker('run --rm --network host busybox cat /etc/resolv.conf').stdout).toBe('nameserver 10.255.255.53\n');
  });

  it('gives a none container only its loopback', () => {
    const l = lab();
    const out = l.docker('run --rm --network none busybox ip -o addr').stdout;
    expect(out).toMatch(/^1: lo +inet 127\.0\.0\.1\/8/);
    expect(out.split('\n').filter(x => x !== '')).toHaveLength(1);
  });

  it('shares another container namespace with --network container:', () => {
    const l = lab();
    l.docker('run -d --name web nginx');
    l.docker('run -d --name side --network container:web busybox sleep 1000');
    expect(l.exec('side', 'wget -qO- http://127.0.0.1/').stdout).toBe(l.exec('web', 'hostname').stdout);
    expect(l.docker("inspect -f '{{.HostConfig.NetworkMode}} {{json .NetworkSettings.Networks}}' side").stdout).toBe('container:web {}\n');
  });

  it('connects and disconnects a running container (capture 03: eth1 and the default route)', () => {
    const l = lab();
    l.docker('network create n1');
    l.docker('network create n2');
    l.docker('run -d --name bx --network n2 busybox sleep 1000');
    expect(l.exec('bx', 'ip route').stdout).toBe('default via 172.19.0.1 dev eth0 \n172.19.0.0/16 dev eth0 scope link  src 172.19.0.2 \n');
    l.docker('network connect n1 bx');
    expect(l.exec('bx', 'ip -o -4 addr show eth1').stdout).toMatch(/inet 172\.18\.0\.2\/16/);
    expect(l.exec('bx', 'ip route').stdout).toMatch(/^default via 172\.18\.0\.1 dev eth1/);
    expect(l.exec('bx', 'cat /etc/hosts').stdout).toMatch(/172\.19\.0\.2\t[0-9a-f]{12}\n172\.18\.0\.2\t[0-9a-f]{12}\n$/);
    l.docker('network disconnect n1 bx');
    expect(l.exec('bx', 'ip route').stdout).toMatch(/^default via 172\.19\.0\.1 dev eth0/);
    expect(l.docker("inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' bx").stdout).toBe('n2 \n');
  });

  it('connects a stopped container at its next start, default network first then by name', () => {
    const l = lab();
    l.docker('network create zeta');
    l.docker('network create alpha');
    l.docker('create --name c1 busybox sleep 1000');
    l.docker('network connect zeta c1');
    l.docker('network connect alpha c1');
    l.docker('start c1');
    const addr = (dev: string): string => /inet (\S+)/.exec(l.exec('c1', `ip -o -4 addr show ${dev}`).stdout)?.[1] ?? '';
    expect([addr('eth0'), addr('eth1'), addr('eth2')]).toEqual(['172.17.0.2/16', '172.19.0.2/16', '172.18.0.2/16']);
  });

  it('publishes ports reachable from the host and load-balances nothing by itself', () => {
    const l = lab();
    l.docker('run -d --name web -p 8080:80 nginx');
    l.docker('run -d --name cl busybox sleep 1000');
    const hostname = l.exec('web', 'hostname').stdout;
    expect(l.exec('cl', 'wget -qO- http://192.0.2.2:8080/').stdout).toBe(hostname);
    expect(l.docker('logs web').stdout).toMatch(/"GET \/ HTTP\/1\.1" 200 13 "-" "Wget" "-"\n$/);
  });
});

describe('the DockerEngine view', () => {
  it('gives running containers a context, every container a name, inspect documents', () => {
    const l = lab();
    l.docker('run -d --name c1 busybox sleep 1000');
    l.docker('create --name c2 busybox');
    expect(l.daemon.containerNames()).toEqual(['c1', 'c2']);
    const ctx = l.daemon.containerContext('c1');
    expect(ctx?.address).toBe(0xac110002);
    expect(ctx?.fs.get('/etc/resolv.conf')).toBe('nameserver 10.255.255.53\n');
    expect(l.daemon.containerContext('c2')).toBeUndefined();
    const doc = l.daemon.inspect('container', 'c1') as { NetworkSettings: { IPAddress: string } };
    expect(doc.NetworkSettings.IPAddress).toBe('172.17.0.2');
    expect((l.daemon.inspect('network', 'bridge') as { Name: string }).Name).toBe('bridge');
    expect(l.daemon.inspect('network', 'nosuch')).toBeUndefined();
  });
});
