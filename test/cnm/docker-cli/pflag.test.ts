// The docker CLI's flag grammar (spf13/pflag as docker/cli uses it).
import { describe, expect, it } from 'vitest';
import { parseFlags, type FlagSpec } from '../../../src/cnm/docker-cli/pflag.js';
import { validateIpAddress } from '../../../src/cnm/docker-cli/opts.js';

const SPECS: FlagSpec[] = [
  { name: 'detach', short: 'd', kind: 'bool' },
  { name: 'interactive', short: 'i', kind: 'bool' },
  { name: 'tty', short: 't', kind: 'bool' },
  { name: 'publish', short: 'p', kind: 'list' },
  { name: 'name', kind: 'string' },
  { name: 'env', short: 'e', kind: 'list' },
  { name: 'time', short: 'T', kind: 'int' },
  { name: 'subnet', kind: 'slice' },
  { name: 'opt', short: 'o', kind: 'map' },
  { name: 'dns', kind: 'list', validate: validateIpAddress },
];

function parse(argv: string[], interspersed = true) {
  const r = parseFlags(argv, SPECS, interspersed);
  if (!r.ok) return { error: r.error };
  const f = r.value.flags;
  return { args: r.value.args, detach: f.bool('detach'), it: [f.bool('interactive'), f.bool('tty')], publish: f.list('publish'), name: f.string('name'), env: f.list('env'), help: r.value.help };
}

describe('pflag grammar', () => {
  it('accepts --flag=value, --flag value, -p value, -pvalue and -p=value', () => {
    expect(parse(['--name=web', '-p', '8080:80', '-p9090:90', '-p=1:2', '--publish', '3:4']).publish).toEqual(['8080:80', '9090:90', '1:2', '3:4']);
    expect(parse(['--name', 'web']).name).toBe('web');
  });

  it('combines short booleans, the last one may take a value', () => {
    expect(parse(['-dit', 'busybox'])).toMatchObject({ detach: true, it: [true, true], args: ['busybox'] });
    expect(parse(['-dp', '80', 'x'])).toMatchObject({ detach: true, publish: ['80'], args: ['x'] });
    expect(parse(['-d=false', 'x']).detach).toBe(false);
    expect(parse(['--detach=0']).detach).toBe(false);
  });

  it('stops at the first argument when not interspersed, and at --', () => {
    expect(parse(['-d', 'busybox', 'ping', '-c', '1', 'x'], false).args).toEqual(['busybox', 'ping', '-c', '1', 'x']);
    expect(parse(['net1', '--name', 'x']).name).toBe('x');
    expect(parse(['--', '-d', 'x']).args).toEqual(['-d', 'x']);
  });

  it('repeats list flags and splits slice flags on commas', () => {
    expect(parse(['-e', 'A=1', '--env', 'B=2', '-e=C']).env).toEqual(['A=1', 'B=2', 'C']);
    const r = parseFlags(['--subnet', '10.0.0.0/24,10.1.0.0/24', '--subnet=10.2.0.0/24', '-o', 'a=b', '-o', 'c=d=e'], SPECS);
    expect(r.ok && r.value.flags.list('subnet')).toEqual(['10.0.0.0/24', '10.1.0.0/24', '10.2.0.0/24']);
    expect(r.ok && [...r.value.flags.map('opt')]).toEqual([
      ['a', 'b'],
      ['c', 'd=e'],
    ]);
  });

  it("reports pflag's errors", () => {
    expect(parse(['--nope'])).toEqual({ error: 'unknown flag: --nope' });
    expect(parse(['-dx'])).toEqual({ error: "unknown shorthand flag: 'x' in -x" });
    expect(parse(['--name'])).toEqual({ error: 'flag needs an argument: --name' });
    expect(parse(['-p'])).toEqual({ error: "flag needs an argument: 'p' in -p" });
    expect(parse(['-T', 'ten'])).toEqual({ error: 'invalid argument "ten" for "-T, --time" flag: strconv.ParseInt: parsing "ten": invalid syntax' });
    expect(parse(['--detach=maybe'])).toEqual({ error: 'invalid argument "maybe" for "-d, --detach" flag: strconv.ParseBool: parsing "maybe": invalid syntax' });
    expect(parse(['--dns', '8.8.8'])).toEqual({ error: 'invalid argument "8.8.8" for "--dns" flag: 8.8.8 is not an ip address' });
  });

  it('treats --help and an unclaimed -h as help', () => {
    expect(parse(['--help']).help).toBe(true);
    expect(parse(['-h']).help).toBe(true);
  });
});
