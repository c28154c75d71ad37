// The docker CLI's value parsers: -p port specs, --network options, consolidated IPAM config,
// and the run options' translation into the create request.
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../../src/cnm/docker-cli/pflag.js';
import { parseNetworkOpt, parsePortSpecs, parseRestartPolicy, validateExtraHost } from '../../../src/cnm/docker-cli/opts.js';
import { consolidateIpam } from '../../../src/cnm/docker-cli/cmd-network.js';
import { RUN_FLAGS, parseRunOptions } from '../../../src/cnm/docker-cli/run-options.js';

describe('nat.ParsePortSpecs', () => {
  it('parses every -p form', () => {
    const r = parsePortSpecs(['8080:80', '127.0.0.1:8081:80', '5353:5353/udp', '80', '1.2.3.4::90', '7000-7001:7000-7001', '9000-9010:99', '[::1]:8443:443']);
    expect(r).not.toBeTypeOf('string');
    if (typeof r === 'string') return;
    expect(r.exposed).toEqual(['80/tcp', '5353/udp', '90/tcp', '7000/tcp', '7001/tcp', '99/tcp', '443/tcp']);
    expect(r.bindings.get('80/tcp')).toEqual([
      { hostIp: '', hostPort: '8080' },
      { hostIp: '127.0.0.1', hostPort: '8081' },
      { hostIp: '', hostPort: '' },
    ]);
    expect(r.bindings.get('90/tcp')).toEqual([{ hostIp: '1.2.3.4', hostPort: '' }]);
    expect(r.bindings.get('7001/tcp')).toEqual([{ hostIp: '', hostPort: '7001' }]);
    expect(r.bindings.get('99/tcp')).toEqual([{ hostIp: '', hostPort: '9000-9010' }]);
    expect(r.bindings.get('443/tcp')).toEqual([{ hostIp: '::1', hostPort: '8443' }]);
  });

  it("answers go-connections' errors", () => {
    expect(parsePortSpecs(['8080:abc'])).toBe('Invalid containerPort: abc');
    expect(parsePortSpecs(['70000:80'])).toBe('Invalid hostPort: 70000');
    expect(parsePortSpecs(['1.2.3:80:80'])).toBe('Invalid ip address: 1.2.3');
    expect(parsePortSpecs(['80/icmp'])).toBe('Invalid proto: icmp');
    expect(parsePortSpecs(['80-81:90-92'])).toBe('Invalid ranges specified for container and host Ports: 90-92 and 80-81');
    expect(parsePortSpecs(['8080:'])).toBe('No port specified: 8080:<empty>');
    expect(parsePortSpecs(['published=8080,target=80'])).toEqual({ exposed: ['80/tcp'], bindings: new Map([['80/tcp', [{ hostIp: '', hostPort: '8080' }]]]) });
  });
});

describe('opts', () => {
  it('parses --network values, --add-host and --restart', () => {
    expect(parseNetworkOpt('net57')).toEqual({ target: 'net57', aliases: [], driverOpts: new Map() });
    expect(parseNetworkOpt('name=net57,alias=svc,alias=web')).toEqual({ target: 'net57', aliases: ['svc', 'web'], driverOpts: new Map() });
    expect(parseNetworkOpt('alias=svc')).toBe('network name/id is not specified');
    expect(parseNetworkOpt('name=x,color=red')).toBe('invalid field key color');
    expect(validateExtraHost('db:10.0.0.5')).toEqual({ ok: true, value: 'db:10.0.0.5' });
    expect(validateExtraHost('gw:host-gateway').ok).toBe(true);
    expect(validateExtraHost('db:10.0.0')).toEqual({ ok: false, error: 'invalid IP address in add-host: "10.0.0"' });
    expect(parseRestartPolicy('on-failure:3')).toEqual({ name: 'on-failure', maximumRetryCount: 3 });
    expect(parseRestartPolicy('always:3')).toBe("maximum retry count cannot be used with restart policy 'always'");
  });

  it('consolidates --subnet, --ip-range, --gateway and --aux-address per subnet', () => {
    expect(consolidateIpam(['192.168.57.0/24'], ['192.168.57.32/28'], ['192.168.57.11'], new Map([['router', '192.168.57.5']]))).toEqual([{ subnet: '192.168.57.0/24', ipRange: '192.168.57.32/28', gateway: '192.168.57.11', auxAddresses: new Map([['router', '192.168.57.5']]) }]);
    expect(consolidateIpam(['10.0.0.0/24'], ['10.1.0.0/25'], [], new Map())).toBe('no matching subnet for range 10.1.0.0/25');
    expect(consolidateIpam(['10.1.0.0/24', '10.0.0/24'], [], [], new Map())).toBe('invalid subnet: invalid CIDR address: 10.0.0/24');
    expect(consolidateIpam(['10.0.0/24', '10.1.0.0/24'], [], [], new Map())).toBe('invalid CIDR address: 10.0.0/24');
  });
});

describe('run options', () => {
  function run(argv: string[]) {
    const p = parseFlags(argv, RUN_FLAGS, false);
    if (!p.ok) throw new Error(p.error);
    const [image = '', ...args] = p.value.args;
    return parseRunOptions(p.value.flags, image, args);
  }

  it('builds the create request as the 20.10 CLI does (capture 02 a2)', () => {
    const r = run(['-d', '--name', 'a2', '--network', 'net57', '--ip', '192.168.57.100', '--network-alias', 'svc', 'busybox:local', 'sleep', '100000']);
    if (typeof r === 'string') throw new Error(r);
    expect(r.request.name).toBe('a2');
    expect(r.request.hostConfig.networkMode).toBe('net57');
    expect(r.request.hostConfig.dns).toEqual([]);
    expect(r.request.hostConfig.extraHosts).toBeNull();
    expect(r.request.config.cmd).toEqual(['sleep', '100000']);
    const ep = r.request.endpoints.get('net57');
    expect(ep?.aliases).toEqual(['svc']);
    expect(ep?.ipamConfig).toEqual({ ipv4Address: '192.168.57.100', ipv6Address: '', linkLocalIps: [] });
  });

  it('leaves out the only network endpoint config when it is empty', () => {
    const r = run(['--network', 'net57', 'busybox']);
    if (typeof r === 'string') throw new Error(r);
    expect(r.request.endpoints.size).toBe(0);
    const d = run(['busybox']);
    if (typeof d === 'string') throw new Error(d);
    expect(d.request.hostConfig.networkMode).toBe('default');
  });

  it('refuses what the CLI refuses', () => {
    expect(run(['--network-alias', 'x', 'busybox'])).toBe('network-scoped aliases are only supported for user-defined networks');
    expect(run(['--network', 'a', '--network', 'host', 'busybox'])).toBe('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
    expect(run(['--network', 'name=a,alias=x', '--network-alias', 'y', 'busybox'])).toBe('conflicting options: cannot specify both --network-alias and per-network alias');
    expect(run(['--expose', '80:80', 'busybox'])).toBe('invalid port format for --expose: 80:80');
  });
});
