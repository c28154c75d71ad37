// One test per kind of mistake in a scenario file: each must be reported with its exact
// line:column and a message that says what was expected and what was found.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIssue, loadScenario } from '../../src/scenario/index.js';

/** Loads the lines as a file and returns its issues as `line:col: message`. */
function issues(...lines: string[]): string[] {
  const result = loadScenario(`${lines.join('\n')}\n`, 's.yaml');
  if (result.ok) return [];
  return result.issues.map((issue) => formatIssue(issue).replace(/^s\.yaml:/, ''));
}

/**
 * `line:col` of the first occurrence of `needle` in the lines (1-based), so that expected positions
 * are read off the text instead of counted by hand. `after` skips to the first line containing it.
 */
function pos(lines: readonly string[], needle: string, after = ''): string {
  const start = after === '' ? 0 : lines.findIndex((l) => l.includes(after));
  for (let i = Math.max(0, start); i < lines.length; i += 1) {
    const col = lines[i]!.indexOf(needle);
    if (col >= 0) return `${i + 1}:${col + 1}`;
  }
  throw new Error(`"${needle}" is not in the text`);
}

describe('unknown keys', () => {
  it('suggests the closest valid key', () => {
    expect(issues('name: n', 'stpes: []')).toEqual(['2:1: unknown key "stpes"; did you mean "steps"?']);
    expect(issues('name: n', 'steps:', '  - dokcer: ps')).toEqual(['3:5: unknown key "dokcer"; did you mean "docker"?']);
    const reach = ['name: n', 'expect:', '  - reach: {from: host1, to: host1, pot: 80}'];
    expect(issues(...reach)).toEqual([`${pos(reach, 'pot')}: unknown key "pot"; did you mean "port"?`]);
    expect(issues('name: n', 'expect:', '  - rech: {from: host1, to: host1}')).toEqual(['3:5: unknown key "rech"; did you mean "reach"?']);
    expect(issues('name: n', 'hosts:', '  - name: h', '    adress: 10.0.0.2/24')).toEqual([
      '4:5: unknown key "adress"; did you mean "address"?',
      '3:5: missing required key "address"; expected a string',
    ].reverse());
  });

  it('lists the valid keys when none is close', () => {
    expect(issues('name: n', 'hosts:', '  - name: h', '    address: 10.0.0.2/24', '    colour: red')).toEqual([
      '5:5: unknown key "colour"; expected one of name, address, gateway, nameservers',
    ]);
  });

  it('says which kind of step a key belongs to', () => {
    expect(issues('name: n', 'steps:', '  - docker: ps', '    in: c1')).toEqual([
      '4:5: unknown key "in" for docker: (only exec: steps have it); expected one of docker, on, exit, contains, matches, equals',
    ]);
    expect(issues('name: n', 'steps:', '  - advance: 1s', '    on: host1')).toEqual([
      '4:5: unknown key "on" for advance: (only docker: or exec: steps have it); expected one of advance',
    ]);
  });
});

describe('kinds of step and expectation', () => {
  it('needs exactly one kind key', () => {
    expect(issues('name: n', 'steps:', '  - docker: ps', '    exec: ls')).toEqual([
      '4:5: a step has exactly one of docker:, exec: or advance:; found both docker: and exec:',
    ]);
    expect(issues('name: n', 'steps:', '  - on: host1')).toEqual(['3:5: a step needs one of docker:, exec: or advance:; found only on:']);
    expect(issues('name: n', 'steps:', '  - docker ps')).toEqual([
      '3:5: steps[0]: expected a mapping with one of docker:, exec: or advance:; found "docker ps"',
    ]);
    expect(issues('name: n', 'expect:', '  - ping: {from: host1}')).toEqual([
      '3:5: an expectation needs one of reach:, dns:, exec:, inspect: or trace:; found only ping:',
    ]);
  });
});

describe('types and required keys', () => {
  it('reports a wrong type with what was found', () => {
    expect(issues('name: n', 'seed: seven')).toEqual(['2:7: seed: expected a whole number of at least 0; found "seven"']);
    expect(issues('name: n', 'seed: 1.5')).toEqual(['2:7: seed: expected a whole number of at least 0; found the number 1.5']);
    expect(issues('name: n', 'hosts: host1')).toEqual(['2:8: hosts: expected a list; found "host1"']);
    expect(issues('name: n', 'steps:', '  - docker: ps', '    exit: "1"')).toEqual([
      '4:11: exit: expected a whole number from 0 to 255; found "1"',
    ]);
  });

  it('suggests quotes when YAML read a number or boolean where text belongs', () => {
    expect(issues('name: n', 'description: 1.10')).toEqual([
      '2:14: description: expected a string; found the number 1.10 (put it in quotes to keep it as text: "1.10")',
    ]);
    expect(issues('name: yes', 'description: no')).toEqual([]);
    expect(issues('name: true')).toEqual(['1:7: name: expected a string; found the boolean true (put it in quotes to keep it as text: "true")']);
  });

  it('reports a missing required key at the mapping that lacks it', () => {
    expect(issues('# a comment', 'seed: 3')).toEqual(['2:1: missing required key "name"; expected a string']);
    const reach = ['name: n', 'expect:', '  - reach: {from: host1}'];
    expect(issues(...reach)).toEqual([`${pos(reach, '{')}: missing required key "to"; expected a string`]);
    expect(issues('name:')).toEqual(['1:1: name: expected a string; found an empty value']);
  });

  it('reports an empty file or a file that is not a mapping', () => {
    expect(issues('')).toEqual(['1:1: expected a scenario: a mapping with at least name:; found an empty document']);
    expect(issues('- a')).toEqual(['1:1: expected a scenario: a mapping with at least name:; found a list']);
  });

  it('reports numbers out of range and empty lists', () => {
    const reach = ['name: n', 'expect:', '  - reach: {from: host1, to: host1, port: 70000}'];
    expect(issues(...reach)).toEqual([`${pos(reach, '70000')}: port: expected a whole number from 1 to 65535; found the number 70000`]);
    expect(issues('name: n', 'hosts: []')).toEqual(['2:8: hosts: expected a list with at least 1 entry; found an empty list']);
  });

  it('reports an invalid enum value, with a suggestion when one is close', () => {
    const maybe = ['name: n', 'expect:', '  - trace: {from: host1, to: host1, verdict: maybe}'];
    expect(issues(...maybe)).toEqual([`${pos(maybe, 'maybe')}: verdict: expected one of delivered or dropped; found "maybe"`]);
    const dropd = ['name: n', 'expect:', '  - trace: {from: host1, to: host1, verdict: dropd}'];
    expect(issues(...dropd)).toEqual([
      `${pos(dropd, 'dropd')}: verdict: expected one of delivered or dropped; found "dropd"; did you mean "dropped"?`,
    ]);
    const sctp = ['name: n', 'expect:', '  - reach: {from: host1, to: host1, proto: sctp}'];
    expect(issues(...sctp)).toEqual([`${pos(sctp, 'sctp')}: proto: expected one of tcp, udp or icmp; found "sctp"; did you mean "tcp"?`]);
  });
});

describe('formats', () => {
  it('reports a bad duration', () => {
    expect(issues('name: n', 'steps:', '  - advance: 2 seconds')).toEqual([
      '3:14: advance: expected a duration like 250ms, 2s, 1m (units ns, us, ms, s, m, h); found "2 seconds"',
    ]);
    expect(issues('name: n', 'steps:', '  - advance: 2')).toEqual([
      '3:14: advance: expected a string; found the number 2 (put it in quotes to keep it as text: "2")',
    ]);
    const forms = ['250ms', '2s', '1m', '1.5s', '2m30s', '100us', '10ns', '1h', '"0"'];
    expect(issues('name: n', 'steps:', ...forms.map((d) => `  - advance: ${d}`))).toEqual([]);
    expect(issues('name: n', 'steps:', '  - advance: 1.5ns', '  - advance: -1s')).toEqual([
      '3:14: advance: expected a duration like 250ms, 2s, 1m (units ns, us, ms, s, m, h); found "1.5ns"',
      '4:14: advance: expected a duration like 250ms, 2s, 1m (units ns, us, ms, s, m, h); found "-1s"',
    ]);
  });

  it('reports a bad CIDR or address', () => {
    const host = (address: string): string[] => issues('name: n', 'hosts:', '  - name: h', `    address: ${address}`);
    const expected = 'address: expected an IPv4 address with a prefix length, like 10.0.0.11/24';
    expect(host('10.0.0.300/24')).toEqual([`4:14: ${expected}; found "10.0.0.300/24" ("10.0.0.300" is not an IPv4 address)`]);
    expect(host('10.0.0.2')).toEqual([`4:14: ${expected}; found "10.0.0.2" (the prefix length "/n" is missing)`]);
    expect(host('10.0.0.2/33')).toEqual([`4:14: ${expected}; found "10.0.0.2/33" (the prefix length must be 0 to 32, not "33")`]);
    expect(host('10.0.0.0/24')).toEqual([`4:14: ${expected}; found "10.0.0.0/24" (10.0.0.0/24 is the network address of its subnet)`]);
    expect(host('10.0.0.255/24')).toEqual([`4:14: ${expected}; found "10.0.0.255/24" (10.0.0.255/24 is the broadcast address of its subnet)`]);
    expect(host('10.0.0.0/31')).toEqual([]);
    expect(host('10.0.0.7/32')).toEqual([]);
    const ns = ['name: n', 'hosts:', '  - name: h', '    address: 10.0.0.2/24', '    nameservers: [10.0.0.053]'];
    expect(issues(...ns)).toEqual([`${pos(ns, '10.0.0.053')}: nameservers[0]: expected an IPv4 address like 10.0.0.1; found "10.0.0.053"`]);
  });

  it('reports a gateway the host cannot reach on-link', () => {
    expect(issues('name: n', 'hosts:', '  - name: h', '    address: 10.0.0.2/24', '    gateway: 10.0.1.1')).toEqual([
      "5:14: gateway 10.0.1.1 is outside the machine's subnet 10.0.0.0/24; expected an address the kernel can reach on-link",
    ]);
    expect(issues('name: n', 'hosts:', '  - name: h', '    address: 10.0.0.2/24', '    gateway: 10.0.0.2')).toEqual([
      "5:14: gateway 10.0.0.2 is the machine's own address; expected another address in 10.0.0.0/24",
    ]);
  });

  it('reports a regular expression that does not compile', () => {
    expect(issues('name: n', 'steps:', '  - exec: ip addr', '    matches: "a(b"')).toEqual([
      '4:14: matches: expected a regular expression (JavaScript syntax); found "a(b" (Invalid regular expression: /a(b/m: Unterminated group)',
    ]);
  });

  it('reports a to: target that is neither a name nor an address, or a bad port', () => {
    const http = ['name: n', 'expect:', '  - reach: {from: host1, to: "host1:http"}'];
    expect(issues(...http)).toEqual([
      `${pos(http, '"host1')}: to: expected a container, host or external name, or an IPv4 address, optionally with :PORT, like web or host1:8080; found "host1:http" (the port must be a number from 1 to 65535, not "http")`,
    ]);
    expect(issues('name: n', 'expect:', '  - reach: {from: host1, to: "host1:8080"}', '  - reach: {from: host1, to: "192.0.2.9:53", proto: udp}')).toEqual([]);
  });

  it('reports a by: that is neither table/chain nor a reason word, and a bad passes: entry', () => {
    const table = ['name: n', 'expect:', '  - trace: {from: host1, to: host1, verdict: dropped, by: filtr/DOCKER}'];
    expect(issues(...table)).toEqual([
      `${pos(table, 'filtr')}: by: expected table/chain (table one of raw, mangle, nat, filter, security) or a drop reason, like filter/DOCKER-ISOLATION-STAGE-2 or no-route; found "filtr/DOCKER" ("filtr" is not an iptables table)`,
    ]);
    const reason = ['name: n', 'expect:', '  - trace: {from: host1, to: host1, verdict: dropped, by: no-rout}'];
    expect(issues(...reason)).toEqual([
      `${pos(reason, 'no-rout')}: by: expected table/chain (table one of raw, mangle, nat, filter, security) or a drop reason, like filter/DOCKER-ISOLATION-STAGE-2 or no-route; found "no-rout" ("no-rout" is not a drop reason; did you mean "no-route"?)`,
    ]);
    const words = ['name: n', 'expect:', '  - trace: {from: host1, to: host1, verdict: dropped, by: firewall}'];
    expect(issues(...words)[0]).toMatch(/found "firewall" \("firewall" is not a drop reason; one of no-route, ttl-exceeded, netfilter, /);
    expect(issues('name: n', 'expect:', '  - trace: {from: host1, to: host1, verdict: dropped, by: rp-filter}')).toEqual([]);
    const passes = ['name: n', 'expect:', '  - trace: {from: host1, to: host1, verdict: delivered, passes: [docker0, nat/PREROUTING, a:b]}'];
    expect(issues(...passes)).toEqual([
      `${pos(passes, 'a:b')}: passes[2]: expected table/chain like nat/PREROUTING, or a device name like docker0 or eth0; found "a:b" (a device name has 1 to 15 characters, no white space, ":" or "/")`,
    ]);
  });
});

describe('names used across the file', () => {
  const twoHosts = ['name: n', 'hosts:', '  - name: host1', '    address: 10.0.0.11/24', '  - name: host2', '    address: 10.0.0.12/24'];

  it('reports duplicate host and external names and addresses', () => {
    expect(issues(...twoHosts, 'externals:', '  - name: host2', '    address: 10.0.0.11/24')).toEqual([
      '8:11: duplicate name "host2": hosts[1] on line 5 already has it; host and external names must be unique',
      '9:14: address 10.0.0.11 is already used by host1',
    ]);
  });

  it('reports an on: that names no host, or an external for a docker step', () => {
    const client = [...twoHosts, 'externals:', '  - name: client', '    address: 10.0.0.100/24', 'steps:'];
    expect(issues(...client, '  - docker: ps', '    on: hsot1')).toEqual([
      '12:9: on: unknown name "hsot1"; expected a host: host1, host2; did you mean "host1"?',
    ]);
    expect(issues(...client, '  - docker: ps', '    on: client')).toEqual(['12:9: on: "client" is an external, which runs no Docker; expected a host: host1, host2']);
    expect(issues(...client, '  - exec: ls', '    in: c1', '    on: client')).toEqual([
      '13:9: on: "client" is an external, which runs no Docker; expected a host: host1, host2',
    ]);
    expect(issues(...client, '  - exec: ping -c1 host1', '    on: client')).toEqual([]);
  });

  it('reports an expectation naming no container, host or external', () => {
    const steps = ['steps:', '  - docker: run -d --name web nginx', '  - docker: run --rm busybox echo --name db'];
    const doc = ['name: n', ...steps, 'expect:', '  - reach: {from: wbe, to: db}', '  - dns: {in: web, name: x, answers: []}'];
    expect(issues(...doc)).toEqual([
      `${pos(doc, 'wbe')}: from: unknown name "wbe"; expected a container or host: web, host1; did you mean "web"?`,
      `${pos(doc, 'db}')}: to: unknown name "db"; expected a container or host: web, host1`,
    ]);
    const port = ['name: n', ...steps, 'expect:', '  - reach: {from: web, to: "wbe:80"}'];
    expect(issues(...port)).toEqual([
      `${pos(port, '"wbe')}: to: unknown name "wbe"; expected a container or host: web, host1; did you mean "web"?`,
    ]);
    const exec = ['name: n', ...steps, 'expect:', '  - exec: {in: host1, cmd: ls}'];
    expect(issues(...exec)).toEqual([`${pos(exec, 'host1,')}: in: "host1" is a host; expected a container: web`]);
  });

  it('reports a container named like a host, since from:/to: could not tell them apart', () => {
    expect(issues('name: n', 'steps:', '  - docker: run -d --name host1 busybox')).toEqual([
      '3:13: container name "host1" is also the name of a host or external, so from:, to: and in: could not tell them apart',
    ]);
  });

  it('finds container names through docker run options, and networks for inspect', () => {
    const steps = [
      'steps:',
      '  - docker: network create -d bridge --subnet 10.9.0.0/24 --internal brnet',
      '  - docker: container create -it -p8080:80 --name=/c1 busybox',
      "  - docker: run -dp 80:80 -e 'A=--name x' --name c2 nginx",
    ];
    expect(
      issues('name: n', ...steps, 'expect:', '  - reach: {from: c1, to: c2}', '  - inspect: {network: brnet, path: Name, equals: brnet}', '  - inspect: {network: bridge, path: Name, equals: bridge}'),
    ).toEqual([]);
    const doc = ['name: n', ...steps, 'expect:', '  - inspect: {network: brnte, path: Name, equals: x}'];
    expect(issues(...doc)).toEqual([
      `${pos(doc, 'brnte')}: network: unknown name "brnte"; expected a network: bridge, host, none, ingress, docker_gwbridge, brnet; did you mean "brnet"?`,
    ]);
  });
});

describe('fields that only make sense together', () => {
  const reach = (body: string): [string[], string[]] => {
    const doc = ['name: n', 'expect:', `  - reach: {from: host1, ${body}}`];
    return [doc, issues(...doc)];
  };

  it('checks ports and protocols', () => {
    const [twice, twiceIssues] = reach('to: "host1:80", port: 80');
    expect(twiceIssues).toEqual([`${pos(twice, 'port')}: port is given twice, in to: "host1:80" and in port:; expected only one of them`]);
    const [icmp, icmpIssues] = reach('to: host1, port: 80, proto: icmp');
    expect(icmpIssues).toEqual([`${pos(icmp, 'icmp')}: proto: icmp has no ports; expected tcp or udp with a port, or no port`]);
    const [udp, udpIssues] = reach('to: host1, proto: udp');
    expect(udpIssues).toEqual([`${pos(udp, 'udp')}: proto: udp needs a port; expected port: or to: NAME:PORT`]);
  });

  it('allows by: only for drops', () => {
    const doc = ['name: n', 'expect:', '  - trace: {from: host1, to: host1, verdict: delivered, by: no-route}'];
    expect(issues(...doc)).toEqual([`${pos(doc, 'no-route')}: by: names what dropped a packet, but verdict is delivered; expected verdict: dropped, or no by:`]);
  });

  it('checks exec and inspect exclusivity', () => {
    const exec = ['name: n', 'expect:', '  - exec: {on: host1, in: host1, cmd: ls, contains: a, equals: a}'];
    expect(issues(...exec)).toEqual([
      `${pos(exec, 'in:')}: in: only one of in or on may be given, and on already is`,
      `${pos(exec, 'host1, cmd')}: in: "host1" is a host; expected a container name (none is declared)`,
      `${pos(exec, 'equals')}: equals: only one of contains, matches or equals may be given, and contains already is`,
    ]);
    const inspect = ['name: n', 'expect:', '  - inspect: {network: bridge, path: Name}'];
    expect(issues(...inspect)).toEqual([`${pos(inspect, '{')}: inspect: missing one of equals, contains or matches; expected exactly one`]);
  });

  it('checks dns answers against the record type', () => {
    const doc = ['name: n', 'expect:', '  - dns: {in: host1, name: web, answers: [10.0.0.1, "::1"]}'];
    expect(issues(...doc)).toEqual([`${pos(doc, '"::1"')}: answers[1]: expected an IPv4 address (type A); found "::1"`]);
    expect(issues('name: n', 'expect:', '  - dns: {in: host1, name: 1.0.0.10.in-addr.arpa, type: PTR, answers: [web.brnet.]}')).toEqual([]);
  });
});

describe('command lines', () => {
  it('points at the opening quote of an unterminated quote', () => {
    const plain = ['name: n', 'steps:', "  - docker: run --name 'c1 busybox"];
    expect(issues(...plain)).toEqual([`${pos(plain, "'")}: unterminated single quote in the docker command; expected a closing '`]);
    // Inside a single-quoted YAML scalar, '' stands for one quote; the column is in the file.
    const quoted = ['name: n', 'steps:', `  - exec: 'echo ''it'' "x'`, '    on: host1'];
    expect(issues(...quoted)).toEqual([`${pos(quoted, '"')}: unterminated double quote in the exec command; expected a closing "`]);
    const cmd = ['name: n', 'expect:', `  - exec: {on: host1, cmd: "echo 'x"}`];
    expect(issues(...cmd)).toEqual([`${pos(cmd, "'")}: unterminated single quote in the command; expected a closing '`]);
  });

  it('reports an empty command and a repeated "docker"', () => {
    expect(issues('name: n', 'steps:', '  - docker: "  "')).toEqual(['3:13: empty docker command; expected a command line']);
    expect(issues('name: n', 'steps:', '  - docker: docker network ls')).toEqual([
      '3:13: the docker: step already runs docker; expected the command without the leading word "docker", like "network ls"',
    ]);
  });
});

describe('YAML syntax', () => {
  it('reports every syntax error with its position, and no echo of it from validation', () => {
    expect(issues('name: a', 'name: b', 'steps:', '\t- docker: ps', '  - exec: echo a: b', 'expect: [{trace: {from: host1', 'seed: 2')).toEqual([
      '2:1: duplicate key "name"; expected each key once per mapping',
      '4:1: YAML syntax: Tabs are not allowed as indentation',
      '4:12: YAML syntax: Nested mappings are not allowed in compact mappings',
      '4:12: YAML syntax: Implicit keys need to be on a single line',
      '5:11: YAML syntax: Nested mappings are not allowed in compact mappings',
      '7:1: YAML syntax: Flow map in block collection must be sufficiently indented and end with a }',
      '7:1: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    // Nothing is said about the trace left open on line 6 (no "missing to:"): that is the syntax
    // error again, not a second mistake.
  });

  it('reports multiple documents and unknown tags', () => {
    expect(issues('name: a', '---', 'name: b')).toEqual([
      '2:1: YAML syntax: Source contains multiple documents; please use YAML.parseAllDocuments()',
    ]);
    expect(issues('name: !secret a')).toEqual(['1:7: YAML syntax: Unresolved tag: !secret']);
  });

  it('never throws, whatever the text', () => {
    const yamlish = fc.string({ unit: fc.constantFrom('a', ':', ' ', '\n', '-', '[', ']', '"', "'", '\t', '&', '*', '!', '#', 'name', 'steps', 'docker') });
    fc.assert(
      fc.property(yamlish, (text) => {
        const result = loadScenario(text, 'f.yaml');
        if (!result.ok) for (const issue of result.issues) expect(issue.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('limits alias expansion', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'name: n'];
    const found = issues(...bomb);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^1:1: cannot read the file as YAML: Excessive alias count/);
  });
});
