// Go text/template as docker's -f/--format uses it: field paths, json, index, range with
// variables, printf, if/else, and Go's error texts.
import { describe, expect, it } from 'vitest';
import { GoTemplate } from '../../../src/cnm/docker-cli/go-template-exec.js';
import type { JsonValue } from '../../../src/cnm/docker-cli/go-json.js';

const data: JsonValue = {
  Name: '/c1',
  Id: '14c25256009ad7303f4f64cb9a1011f86b8e264cda029012a4b1c41d2e3d5e37',
  State: { Running: true, Pid: 16192 },
  Config: { Labels: {}, Env: null },
  NetworkSettings: {
    IPAddress: '172.17.0.2',
    Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] },
    Networks: {
      net57: { IPAddress: '192.168.57.32', Aliases: ['svc', 'ba585608714d'], IPAMConfig: null, DriverOpts: null },
      bridge: { IPAddress: '172.17.0.2', Aliases: null, IPAMConfig: null, DriverOpts: null },
    },
  },
};

function run(tmpl: string, value: JsonValue = data): string {
  const t = GoTemplate.parse(tmpl);
  if (!t.ok) return `PARSE: ${t.error}`;
  const r = t.value.execute(value);
  return r.ok ? r.value : `EXEC: ${r.error}`;
}

describe('go template', () => {
  it('follows field paths', () => {
    expect(run('{{.NetworkSettings.IPAddress}}')).toBe('172.17.0.2');
    expect(run('{{.Name}}')).toBe('/c1');
    expect(run('{{.State.Pid}} {{.State.Running}}')).toBe('16192 true');
  });

  it('json, index and parenthesised chains (lib/capture.sh cip/cmac)', () => {
    expect(run('{{json .NetworkSettings.Ports}}')).toBe('{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}');
    expect(run('{{(index .NetworkSettings.Networks "net57").IPAddress}}')).toBe('192.168.57.32');
    expect(run('{{json (index .NetworkSettings.Networks "net57").Aliases}}')).toBe('["svc","ba585608714d"]');
    expect(run('{{index .Config.Labels "nope"}}')).toBe('<no value>');
  });

  it('ranges over maps in key order with $k, $v', () => {
    expect(run('{{range $k,$v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}')).toBe('bridge=172.17.0.2 net57=192.168.57.32 ');
    expect(run('{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}')).toBe('172.17.0.2192.168.57.32');
    expect(run('{{range .Config.Env}}x{{else}}none{{end}}')).toBe('none');
    expect(run('{{range $i, $a := (index .NetworkSettings.Networks "net57").Aliases}}{{$i}}:{{$a}},{{end}}')).toBe('0:svc,1:ba585608714d,');
  });

  it('printf, if/else, comparisons, pipes and trimming', () => {
    expect(run('{{printf "%s has %d" .Name .State.Pid}}')).toBe('/c1 has 16192');
    expect(run('{{printf "%-6s|" "ab"}}')).toBe('ab    |');
    expect(run('{{if .State.Running}}up{{else}}down{{end}}')).toBe('up');
    expect(run('{{if eq .Name "/c2"}}a{{else if eq .Name "/c1"}}b{{else}}c{{end}}')).toBe('b');
    expect(run('{{.Name | printf "%q"}}')).toBe('"/c1"');
    expect(run('a  {{- " b " -}}  c')).toBe('a b c');
    expect(run('{{len .NetworkSettings.Networks}} {{upper "x"}} {{join (split "a,b" ",") "+"}}')).toBe('2 X a+b');
    expect(run('{{$n := .Name}}{{$n}}{{/* comment */}}')).toBe('/c1');
  });

  it('prints typed nils as Go would', () => {
    expect(run('{{.NetworkSettings.Networks.bridge.Aliases}}')).toBe('[]');
    expect(run('{{.NetworkSettings.Networks.bridge.IPAMConfig}}')).toBe('<nil>');
    expect(run('{{.NetworkSettings.Networks.bridge.DriverOpts}}')).toBe('map[]');
    expect(run('{{(index .NetworkSettings.Networks "net57").Aliases}}')).toBe('[svc ba585608714d]');
  });

  it('reports Go errors', () => {
    expect(run('{{.Foo}}')).toBe('EXEC: template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"');
    expect(run('{{foo .}}')).toBe('PARSE: template: :1: function "foo" not defined');
    expect(run('{{.Name')).toBe('PARSE: template: :1: unclosed action');
    expect(run('{{if .Name}}x')).toBe('PARSE: template: :1: unexpected EOF');
    expect(run('{{(index .NetworkSettings.Networks "nope").IPAddress}}')).toMatch(/nil pointer evaluating interface \{\}\.IPAddress/);
    const t = GoTemplate.parse('{{.Nope}}');
    expect(t.ok && t.value.execute({ A: 1 }, { typeOf: () => '*formatter.ContainerContext' })).toEqual({ ok: false, error: 'template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext' });
  });
});
