// Docker's list layout: Go's tabwriter with docker's settings, go-units HumanDuration,
// sortorder NaturalLess, formatter.Ellipsis, DisplayablePorts, Go-compatible JSON.
import { describe, expect, it } from 'vitest';
import { ellipsis, formatList, humanDuration, naturalCompare, tabwrite } from '../../../src/cnm/docker-cli/formatter.js';
import { displayablePorts } from '../../../src/cnm/docker-cli/cmd-ps.js';
import { goJson, goMap } from '../../../src/cnm/docker-cli/go-json.js';

describe('tabwriter (minwidth 10, padding 3)', () => {
  it('lays out docker network ls as captured', () => {
    expect(tabwrite('NETWORK ID\tNAME\tDRIVER\tSCOPE\n5c6f3272e97e\tbridge\tbridge\tlocal\n')).toBe('NETWORK ID     NAME      DRIVER    SCOPE\n5c6f3272e97e   bridge    bridge    local\n');
  });

  it('keeps empty columns at the minimum width and never pads the last cell', () => {
    expect(tabwrite('A\t\tC\nlonger value\t\tz\n')).toBe('A              \x20         C\nlonger value             z\n'.replace('\x20', ' '));
  });
});

describe('formatList', () => {
  it('adds the header for table formats and replaces \\t', () => {
    const out = formatList('table {{.A}}\\t{{.B}}', [{ A: 'x', B: 'y' }], { A: 'COL A', B: 'COL B' });
    expect(out).toEqual({ ok: true, value: 'COL A     COL B\nx         y\n' });
    expect(formatList('{{.A}}:{{.B}}', [{ A: 'x', B: 'y' }], {})).toEqual({ ok: true, value: 'x:y\n' });
  });
});

describe('units and sorting', () => {
  it('HumanDuration', () => {
    const s = 1e9;
    expect([0.5, 1, 59, 60, 119, 3599, 3600, 5400, 47 * 3600, 72 * 3600, 15 * 86400, 61 * 86400, 800 * 86400].map(x => humanDuration(x * s))).toEqual([
      'Less than a second',
      '1 second',
      '59 seconds',
      'About a minute',
      'About a minute',
      '59 minutes',
      'About an hour',
      '2 hours',
      '47 hours',
      '3 days',
      '2 weeks',
      '2 months',
      '2 years',
    ]);
  });

  it('NaturalLess orders digit runs by value', () => {
    expect(['n10', 'n2', 'bridge', 'n1', 'host', 'none'].sort(naturalCompare)).toEqual(['bridge', 'host', 'n1', 'n2', 'n10', 'none']);
  });

  it('Ellipsis cuts to the width with …', () => {
    expect(ellipsis('/docker-entrypoint.sh nginx -g daemon off;', 20)).toBe('/docker-entrypoint.…');
    expect(ellipsis('sleep 100000', 20)).toBe('sleep 100000');
  });
});

describe('DisplayablePorts', () => {
  it('prints bindings as docker ps does (capture 04)', () => {
    expect(displayablePorts([{ ip: '::', privatePort: 80, publicPort: 8080, type: 'tcp' }, { ip: '0.0.0.0', privatePort: 80, publicPort: 8080, type: 'tcp' }])).toBe('0.0.0.0:8080->80/tcp, :::8080->80/tcp');
    expect(displayablePorts([{ ip: '0.0.0.0', privatePort: 5353, publicPort: 5353, type: 'udp' }, { ip: '::', privatePort: 5353, publicPort: 5353, type: 'udp' }])).toBe('0.0.0.0:5353->5353/udp, :::5353->5353/udp');
    expect(displayablePorts([{ ip: '127.0.0.1', privatePort: 80, publicPort: 8081, type: 'tcp' }])).toBe('127.0.0.1:8081->80/tcp');
  });

  it('groups consecutive unpublished ports into ranges', () => {
    expect(displayablePorts([80, 81, 82, 443].map(p => ({ ip: '', privatePort: p, publicPort: 0, type: 'tcp' })))).toBe('80-82/tcp, 443/tcp');
  });
});

describe('Go JSON', () => {
  it('escapes HTML by default, sorts map keys, and indents as json.Indent', () => {
    expect(goJson({ b: '<x&y>', a: [] })).toBe('{"b":"\\u003cx\\u0026y\\u003e","a":[]}');
    expect(goJson({ b: '<x>' }, { escapeHtml: false })).toBe('{"b":"<x>"}');
    expect(goJson(goMap([['z', 1], ['a', null]]), { indent: '    ' })).toBe('{\n    "a": null,\n    "z": 1\n}');
  });
});
