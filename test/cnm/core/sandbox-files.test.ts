// /etc/hosts and /etc/resolv.conf of sandboxes against the Docker 20.10 reference captures,
// byte for byte, plus the resolv.conf rules of libnetwork's resolvconf package and
// sandbox_dns_unix.go, and the embedded-DNS hook.
import { describe, expect, it } from 'vitest';
import { mustParseIpv4 } from '../../../src/packet/index.js';
import {
  filterResolvDns,
  getNameservers,
  getOptions,
  getSearchDomains,
  linkHostsRecord,
  ok,
  type EmbeddedResolverFactory,
  type ExternalDns,
  type Network,
  type Sandbox,
} from '../../../src/cnm/index.js';
import { capturedOutput, daemon, must, type Daemon } from './support.js';

function net57(d: Daemon): Network {
  return must(
    d.controller.newNetwork('bridge', 'net57', { ipamConfig: [{ subnet: '192.168.57.0/24', ipRange: '192.168.57.32/28', gateway: '192.168.57.11' }] }),
  );
}

function run(d: Daemon, n: Network, name: string, shortId: string, opts: { ip?: string; dns?: string[]; aliases?: string[] } = {}): Sandbox {
  const sb = must(d.controller.newSandbox(`${shortId}0000`, { label: name, hostname: shortId, ...(opts.dns === undefined ? {} : { dns: opts.dns }) }));
  const ep = must(
    n.createEndpoint(name, {
      aliases: [...(opts.aliases ?? []), shortId],
      ...(opts.ip === undefined ? {} : { ip: mustParseIpv4(opts.ip) }),
    }),
  );
  must(ep.join(sb));
  return sb;
}

describe('files against the captures', () => {
  it('default bridge (01: c1, c2): the host resolv.conf and one hosts line, no embedded DNS', () => {
    const d = daemon({ type: 'bridge' });
    const bridge = must(d.controller.newNetwork('bridge', 'bridge', { ipamConfig: [{ subnet: '172.17.0.0/16' }] }));
    for (const [name, id] of [
      ['c1', '14c25256009a'],
      ['c2', 'dd4dc2e13306'],
    ] as const) {
      const sb = must(d.controller.newSandbox(`${id}0000`, { label: name, hostname: id }));
      must(must(bridge.createEndpoint(name, { disableResolution: true })).join(sb));
      expect(sb.hosts()).toBe(capturedOutput(`01-default-bridge/ctr-${name}-hosts.txt`));
      expect(sb.resolvConf()).toBe(capturedOutput(`01-default-bridge/ctr-${name}-resolv.conf.txt`));
      expect(sb.resolver).toBeUndefined();
    }
  });

  it('user bridge (02: a1..a5): 127.0.0.11 with ndots:0, also with --dns', () => {
    const d = daemon({ type: 'bridge' });
    const n = net57(d);
    const sbs = [
      run(d, n, 'a1', 'ba585608714d', { aliases: ['svc'] }),
      run(d, n, 'a2', '0e354191f2e4', { ip: '192.168.57.100', aliases: ['svc'] }),
      run(d, n, 'a3', '48673c33b68d'),
      run(d, n, 'a4', '2a2b2b7fcaa5', { dns: ['127.0.0.1'] }),
      run(d, n, 'a5', 'd9cab1a0e72b', { dns: ['192.168.57.11'] }),
    ];
    sbs.forEach((sb, i) => {
      expect(sb.hosts()).toBe(capturedOutput(`02-user-bridge/ctr-a${i + 1}-hosts.txt`));
      expect(sb.resolvConf()).toBe(capturedOutput(`02-user-bridge/ctr-a${i + 1}-resolv.conf.txt`));
    });
    const upstreams = (sb: Sandbox): ExternalDns[] => [...sb.externalResolvers()];
    expect(upstreams(sbs[2]!)).toEqual([{ ip: '10.255.255.53', hostLoopback: false }]);
    expect(upstreams(sbs[3]!)).toEqual([{ ip: '127.0.0.1', hostLoopback: false }]);
    expect(upstreams(sbs[4]!)).toEqual([{ ip: '192.168.57.11', hostLoopback: false }]);
  });
});

describe('resolv.conf rules', () => {
  it('filters loopback nameservers and falls back to Google DNS with upstream quirks', () => {
    expect(filterResolvDns('nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n', false)).toBe(
      'options edns0 trust-ad\nsearch .\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4',
    );
    expect(filterResolvDns('nameserver 10.0.0.2\nnameserver ::1\nnameserver 2001:db8::1\n', false)).toBe('nameserver 10.0.0.2\n');
    expect(filterResolvDns('nameserver 2001:db8::1\n', true)).toBe('nameserver 2001:db8::1\n');
    expect(filterResolvDns('', true)).toBe('\nnameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844');
  });

  it('reads nameservers, the last search and options lines, ignoring comments', () => {
    const text = 'search a.example\nnameserver 10.0.0.2 # primary\nnameserver 2001:db8::53\n#nameserver 10.9.9.9\nsearch b.example c.example\noptions ndots:2\n';
    expect(getNameservers(text, 'ip')).toEqual(['10.0.0.2', '2001:db8::53']);
    expect(getNameservers(text, 'ipv4')).toEqual(['10.0.0.2']);
    expect(getNameservers(text, 'ipv6')).toEqual(['2001:db8::53']);
    expect(getSearchDomains(text)).toEqual(['b.example', 'c.example']);
    expect(getOptions(text)).toEqual(['ndots:2']);
  });

  it('keeps host loopback servers as upstreams queried from the host (systemd-resolved)', () => {
    const d = daemon({ type: 'bridge', hostResolvConf: () => 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch corp.example\n' });
    const n = net57(d);
    const sb = run(d, n, 'a1', 'ba585608714d');
    expect(sb.externalResolvers()).toEqual([{ ip: '127.0.0.53', hostLoopback: true }]);
    expect(sb.resolvConf()).toBe('search corp.example\nnameserver 127.0.0.11\noptions edns0 trust-ad ndots:0\n');
  });

  it('falls back to Google DNS upstreams when the host has no nameserver', () => {
    const d = daemon({ type: 'bridge', nameservers: [] });
    const sb = run(d, net57(d), 'a1', 'ba585608714d');
    expect(sb.externalResolvers()).toEqual([
      { ip: '8.8.8.8', hostLoopback: false },
      { ip: '8.8.4.4', hostLoopback: false },
    ]);
  });

  it('leaves a user ndots in place of ndots:0', () => {
    const d = daemon({ type: 'bridge' });
    const n = net57(d);
    const sb = must(d.controller.newSandbox('x', { hostname: 'x', dnsOptions: ['ndots:3'], dnsSearch: ['svc.example'] }));
    must(must(n.createEndpoint('x')).join(sb));
    expect(sb.resolvConf()).toBe('search svc.example\nnameserver 127.0.0.11\noptions ndots:3\n');
    expect(sb.ndotsSet).toBe(true);
    expect(sb.externalResolvers()).toEqual([{ ip: '10.255.255.53', hostLoopback: false }]);
  });

  it('copies the host files for a host-network container', () => {
    const d = daemon({ nameservers: ['127.0.0.53'] });
    const host = must(d.controller.newNetwork('host', 'host'));
    const sb = must(d.controller.newSandbox('h', { useDefaultSandbox: true, originHosts: true, originResolvConf: true, hostname: 'host1' }));
    must(must(host.createEndpoint('h', { disableResolution: true })).join(sb));
    expect(sb.ns).toBe(d.host.rootNs);
    expect(sb.key).toBe('/var/run/docker/netns/default');
    expect(sb.resolvConf()).toBe('nameserver 127.0.0.53\n');
    expect(sb.hosts()).toContain('127.0.1.1\thost1\n');
    must(sb.delete());
    expect(d.host.rootNs.device('lo')).toBeDefined();
  });
});

describe('/etc/hosts edits', () => {
  it('writes extra hosts and --link records after the defaults, then the own address', () => {
    const d = daemon({ type: 'bridge' });
    const bridge = must(d.controller.newNetwork('bridge', 'bridge', { ipamConfig: [{ subnet: '172.17.0.0/16' }] }));
    const sb = must(
      d.controller.newSandbox('web-id', {
        hostname: 'web',
        domainname: 'example.com',
        extraHosts: [{ hosts: 'db.local', ip: '10.0.0.9' }, linkHostsRecord('db', '5e4f1c2a9b7d', 'postgres', '172.17.0.3')],
      }),
    );
    must(must(bridge.createEndpoint('web', { disableResolution: true })).join(sb));
    expect(sb.hosts().split('\n').slice(6)).toEqual(['10.0.0.9\tdb.local', '172.17.0.3\tdb 5e4f1c2a9b7d postgres', '172.17.0.2\tweb.example.com web', '']);
  });

  it('drops the line of a left network when its address answers to the hostname (short id alias)', () => {
    const d = daemon({ type: 'bridge' });
    const n1 = must(d.controller.newNetwork('bridge', 'n1', { ipamConfig: [{ subnet: '172.18.0.0/16' }] }));
    const n2 = must(d.controller.newNetwork('bridge', 'n2', { ipamConfig: [{ subnet: '172.19.0.0/16' }] }));
    const sb = run(d, n2, 'bx', 'e74439350b32');
    const onN1 = must(n1.createEndpoint('bx', { aliases: ['e74439350b32'] }));
    must(onN1.join(sb));
    must(onN1.leave(sb));
    expect(sb.hosts().split('\n').slice(6)).toEqual(['172.19.0.2\te74439350b32', '']);
  });

  it('updates a linked parent when the child comes back with a new address', () => {
    const d = daemon({ type: 'bridge' });
    const parent = must(d.controller.newSandbox('parent', { extraHosts: [linkHostsRecord('db', 'abc', 'db', '172.17.0.3')] }));
    must(d.controller.newSandbox('child', { parentUpdates: [{ containerId: 'parent', name: 'db', ip: '172.17.0.9' }] }));
    expect(parent.hosts().split('\n')[6]).toBe('172.17.0.9\tdb abc');
  });
});

describe('embedded DNS hook and name resolution', () => {
  it('starts the resolver once, at the first endpoint that wants resolution, and stops it with the sandbox', () => {
    const events: string[] = [];
    const factory: EmbeddedResolverFactory = {
      newResolver: sb => {
        events.push(`new ${sb.containerId}`);
        return {
          nameServer: () => '127.0.0.11',
          resolverOptions: () => ['ndots:0'],
          setExtServers: servers => void events.push(`ext ${servers.map(s => s.ip).join(',')}`),
          start: () => {
            events.push('start');
            return ok(undefined);
          },
          stop: () => void events.push('stop'),
        };
      },
    };
    const d = daemon({ type: 'bridge', resolverFactory: factory });
    const bridge = must(d.controller.newNetwork('bridge', 'bridge', { ipamConfig: [{ subnet: '172.17.0.0/16' }] }));
    const n = net57(d);
    const sb = must(d.controller.newSandbox('ctr', { hostname: 'ctr' }));
    must(must(bridge.createEndpoint('ctr', { disableResolution: true })).join(sb));
    expect(events).toEqual([]);
    must(must(n.createEndpoint('ctr')).join(sb));
    const n2 = must(d.controller.newNetwork('bridge', 'other', { ipamConfig: [{ subnet: '10.20.0.0/24' }] }));
    must(must(n2.createEndpoint('ctr')).join(sb));
    expect(events).toEqual(['new ctr', 'ext 10.255.255.53', 'start']);
    must(sb.delete());
    expect(events.at(-1)).toBe('stop');
    expect(d.controller.sandboxes()).toEqual([]);
    expect(bridge.endpoints()).toEqual([]);
  });

  it('resolves names, name.network, aliases, link aliases and PTR across the sandbox networks', () => {
    const d = daemon({ type: 'bridge' });
    const n = net57(d);
    const other = must(d.controller.newNetwork('bridge', 'oth.er', { ipamConfig: [{ subnet: '10.20.0.0/24' }] }));
    const a1 = run(d, n, 'a1', 'ba585608714d', { aliases: ['svc'] });
    run(d, n, 'a2', '0e354191f2e4', { ip: '192.168.57.100', aliases: ['svc'] });
    const web = must(other.createEndpoint('web'));
    must(web.join(must(d.controller.newSandbox('w'))));
    const ep = must(other.createEndpoint('a1', { linkAliases: new Map([['db', 'web']]) }));
    must(ep.join(a1));
    const ip = (s: string) => mustParseIpv4(s);
    expect(a1.resolveName('a2').ips).toEqual([ip('192.168.57.100')]);
    expect(a1.resolveName('A2.net57.').ips).toEqual([ip('192.168.57.100')]);
    expect(a1.resolveName('svc').ips).toEqual([ip('192.168.57.32'), ip('192.168.57.100')]);
    expect(a1.resolveName('web.oth.er').ips).toEqual([ip('10.20.0.2')]);
    expect(a1.resolveName('web.net57').ips).toEqual([]);
    expect(a1.resolveName('db').ips).toEqual([ip('10.20.0.2')]);
    expect(a1.resolveName('a2', 'ipv6')).toEqual({ ips: [], ipv6Miss: true });
    expect(a1.resolveName('nothing')).toEqual({ ips: [], ipv6Miss: false });
    expect(a1.resolveIp(ip('192.168.57.100'))).toBe('a2.net57');
    expect(a1.resolveIp(ip('10.20.0.2'))).toBe('web.oth.er');
    expect(a1.resolveIp(ip('10.9.9.9'))).toBeUndefined();
  });
});
