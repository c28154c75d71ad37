// The built-in image catalogue: references as Docker normalises them, lookups and the pull
// errors a registry-less host answers with, and what each image runs.
import { describe, expect, it } from 'vitest';
import { builtinCatalogue, entrypointArgv, parseReference, splitScript } from '../../../src/cnm/images/index.js';
import { lab } from './support.js';

describe('image references', () => {
  it('normalises names as distribution/reference does', () => {
    expect(parseReference('busybox')).toEqual({ familiar: 'busybox', tag: 'latest', digest: undefined, registry: undefined });
    expect(parseReference('docker.io/library/nginx:1.25')).toEqual({ familiar: 'nginx', tag: '1.25', digest: undefined, registry: undefined });
    expect(parseReference('library/redis')).toMatchObject({ familiar: 'redis', tag: 'latest' });
    expect(parseReference('BusyBox')).toBe('invalid reference format: repository name must be lowercase');
    expect(parseReference('busybox:')).toBe('invalid reference format');
  });

  it('finds catalogue images by tag or id, and answers misses as a pull would', () => {
    const cat = builtinCatalogue();
    expect(cat.lookup('busybox:local')).toMatchObject({ ok: true, image: { id: 'sha256:85f7750078359be9238c0d98abf174b7206183f9022b7d96e0d6b0e2818a3b23', cmd: null } });
    expect(cat.lookup('85f775007835')).toMatchObject({ ok: true, image: { tags: ['local'] } });
    expect(cat.lookup('nginx')).toMatchObject({ ok: true, image: { exposedPorts: ['80/tcp'], entrypoint: ['/docker-entrypoint.sh'] } });
    expect(cat.lookup('nosuch')).toEqual({ ok: false, kind: 'pull', error: "pull access denied for nosuch, repository does not exist or may require 'docker login': denied: requested access to the resource is denied" });
    expect(cat.lookup('alpine:2')).toEqual({ ok: false, kind: 'pull', error: 'manifest for alpine:2 not found: manifest unknown: manifest unknown' });
    expect(cat.lookup('myreg.io:5000/app')).toEqual({ ok: false, kind: 'pull', error: 'Get "https://myreg.io:5000/v2/": dial tcp: lookup myreg.io: no such host' });
  });
});

describe('what images run', () => {
  it('hands entrypoint arguments to the image binary', () => {
    expect(entrypointArgv('redis', ['--appendonly', 'yes']).argv).toEqual(['redis-server', '--appendonly', 'yes']);
    expect(entrypointArgv('consul', ['agent', '-dev']).argv).toEqual(['consul', 'agent', '-dev']);
    expect(entrypointArgv('nginx', ['nginx', '-g', 'daemon off;']).prelude).toMatch(/Configuration complete; ready for start up\n$/);
    expect(entrypointArgv('redis', ['sh']).argv).toEqual(['sh']);
  });

  it('splits sh -c scripts into simple commands', () => {
    expect(splitScript("echo 'a b'; false && echo no || echo yes")).toEqual([
      { words: ['echo', 'a b'], op: ';' },
      { words: ['false'], op: ';' },
      { words: ['echo', 'no'], op: '&&' },
      { words: ['echo', 'yes'], op: '||' },
    ]);
    expect(splitScript('ping x | head')).toBe('sh: cnmsim\'s sh runs simple commands only (found "|")');
  });

  it('serves HTTP from nginx, httpd and python, RESP from redis', () => {
    const l = lab();
    l.docker('run -d --name web nginx');
    l.docker('run -d --name apache httpd');
    l.docker('run -d --name py python python3 -m http.server 8000');
    l.docker('run -d --name cache redis');
    l.docker('run -d --name cl busybox sleep 1000');
    expect(l.exec('cl', 'wget -qO- http://172.17.0.2/').stdout).toBe(`${l.exec('web', 'hostname').stdout}`);
    expect(l.exec('cl', 'wget -qO- http://172.17.0.3/').stdout).toBe('<html><body><h1>It works!</h1></body></html>\n');
    expect(l.exec('cl', 'wget -qO- http://172.17.0.4:8000/').stdout).toMatch(/Directory listing for \//);
    expect(l.exec('cl', 'nc -zv 172.17.0.5 6379').stderr + l.exec('cl', 'nc -zv 172.17.0.5 6379').stdout).toMatch(/open/);
    expect(l.docker('logs py').stdout).toBe('Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/) ...\n');
  });

  it('runs REPL images only with -i, and says so in ps', () => {
    const l = lab();
    l.docker('run -d --name once python');
    l.docker('run -di --name kept node');
    expect(l.docker("ps -a --format '{{.Names}} {{.State}}'").stdout).toBe('kept running\nonce exited\n');
  });
});
