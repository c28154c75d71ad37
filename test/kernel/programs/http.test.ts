import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { socketsOf } from '../../../src/kernel/sockets/index.js';
import { startHttpServer } from '../../../src/kernel/programs/index.js';
import { dropInput, vethPair } from '../sockets/net.js';
import { run, start, words } from './run.js';

const WWW = new Map([['/var/www/index.html', 'hello from busybox httpd\n']]);

function withHttpd(): ReturnType<typeof vethPair> {
  const p = vethPair();
  const d = run(p.b, words('httpd -p 80 -h /var/www'), { fs: WWW });
  expect(d.code).toBe(0); // daemonized
  return p;
}

describe('busybox wget', () => {
  it('-qO- prints the body (fetch-matrix style) and exits 0', () => {
    const p = withHttpd();
    const r = run(p.a, words('wget -qO- http://10.0.0.2/'));
    expect(r).toMatchObject({ code: 0, stdout: 'hello from busybox httpd\n', stderr: '' });
  });

  it('without -q reports the connection and progress on stderr', () => {
    const p = withHttpd();
    const r = run(p.a, words('wget -O - http://10.0.0.2:80/index.html'));
    expect(r.stdout).toBe('hello from busybox httpd\n');
    expect(r.stderr).toBe(
      'Connecting to 10.0.0.2:80 (10.0.0.2:80)\nwriting to stdout\n-                    100% |********************************|    25  0:00:00 ETA\nwritten to stdout\n',
    );
  });

  it('saves to a file in the process file system', () => {
    const p = withHttpd();
    const fs = new Map<string, string>();
    const r = run(p.a, words('wget -q http://10.0.0.2/'), { fs });
    expect(r.code).toBe(0);
    expect(fs.get('/index.html')).toBe('hello from busybox httpd\n');
  });

  it("prints busybox's errors: refused, HTTP error, bad address", () => {
    const p = withHttpd();
    expect(run(p.a, words('wget -qO- http://10.0.0.2:8081/'))).toMatchObject({
      code: 1,
      stderr: "wget: can't connect to remote host (10.0.0.2): Connection refused\n",
    });
    expect(run(p.a, words('wget -qO- http://10.0.0.2/missing'))).toMatchObject({ code: 1, stderr: 'wget: server returned error: HTTP/1.1 404 Not Found\n' });
    expect(run(p.a, words('wget -qO- http://web/'))).toMatchObject({ code: 1, stderr: "wget: bad address 'web'\n" });
  });

  it('-T: download timed out; without it a dropped SYN fails after 127 s', () => {
    const p = withHttpd();
    dropInput(p.b, x => x.payload.kind === 'tcp');
    const t0 = p.world.engine.now;
    expect(run(p.a, words('wget -qO- -T 2 http://10.0.0.2/'))).toMatchObject({ code: 1, stderr: 'wget: download timed out\n' });
    expect(p.world.engine.now - t0).toBe(2 * SECOND);
    const t1 = p.world.engine.now;
    expect(run(p.a, words('wget -qO- http://10.0.0.2/'))).toMatchObject({
      code: 1,
      stderr: "wget: can't connect to remote host (10.0.0.2): Connection timed out\n",
    });
    expect(p.world.engine.now - t1).toBe(127 * SECOND);
  });

  it('a run killed by the time limit exits 143 with no output (timeout 4 wget)', () => {
    const p = withHttpd();
    dropInput(p.b, x => x.payload.kind === 'tcp');
    expect(run(p.a, words('wget -qO- http://10.0.0.2/'), { limitSeconds: 4 })).toMatchObject({ code: 143, stdout: '', stderr: '' });
  });
});

describe('busybox httpd', () => {
  it('serves 404 pages and answers with its headers', () => {
    const p = withHttpd();
    const r = run(p.a, words('wget -S -qO- http://10.0.0.2/'));
    expect(r.stderr).toContain('  HTTP/1.1 200 OK\n  Content-type: text/html\n  Date: Thu, 01 Jan 1970 00:00:');
    expect(r.stderr).toContain('  Content-Length: 25\n');
  });

  it('-f runs in the foreground until killed; the port is then free again', () => {
    const p = vethPair();
    const proc = start(p.b, words('httpd -f -p 8080 -h /var/www'), { fs: WWW });
    expect(run(p.a, words('wget -qO- http://10.0.0.2:8080/')).stdout).toBe('hello from busybox httpd\n');
    expect(proc.done).toBe(false);
    proc.kill();
    expect(proc.exitCode).toBe(143);
    expect(socketsOf(p.b).sockets().filter(s => s.kind === 'tcp' && s.state === 'LISTEN')).toEqual([]);
    expect(socketsOf(p.b).tcp().bind(0, 8080).ok).toBe(true);
  });

  it('startHttpServer lets another layer answer with its own handler (nginx-like)', () => {
    const p = vethPair();
    const srv = startHttpServer(p.b, 80, () => ({ status: 200, headers: [['Server', 'nginx/1.25.3']], body: 'web1\n' }));
    expect(srv.ok).toBe(true);
    expect(run(p.a, words('wget -qO- http://10.0.0.2/')).stdout).toBe('web1\n');
    expect(startHttpServer(p.b, 80, () => ({ status: 200 }))).toEqual({ ok: false, errno: 'EADDRINUSE' });
  });
});

describe('curl', () => {
  it('prints the body, and -v the exchange', () => {
    const p = withHttpd();
    expect(run(p.a, words('curl -s http://10.0.0.2/'), { userland: 'host' })).toMatchObject({ code: 0, stdout: 'hello from busybox httpd\n' });
    const v = run(p.a, words('curl -sv http://10.0.0.2/'), { userland: 'host' });
    expect(v.stderr).toContain('*   Trying 10.0.0.2:80...\n* Connected to 10.0.0.2 (10.0.0.2) port 80 (#0)\n> GET / HTTP/1.1\n> Host: 10.0.0.2\n');
    expect(v.stderr).toContain('< HTTP/1.1 200 OK\n');
  });

  it('exit codes 6, 7, 28 with their messages; -s hides them', () => {
    const p = withHttpd();
    const host = { userland: 'host' as const };
    expect(run(p.a, words('curl http://web/'), host)).toMatchObject({ code: 6, stderr: 'curl: (6) Could not resolve host: web\n' });
    expect(run(p.a, words('curl http://10.0.0.2:81/'), host)).toMatchObject({
      code: 7,
      stderr: "curl: (7) Failed to connect to 10.0.0.2 port 81 after 0 ms: Couldn't connect to server\n",
    });
    expect(run(p.a, words('curl -s http://10.0.0.2:81/'), host)).toMatchObject({ code: 7, stderr: '' });
    dropInput(p.b, x => x.payload.kind === 'tcp');
    expect(run(p.a, words('curl -m 2 http://10.0.0.2/'), host)).toMatchObject({ code: 28, stderr: 'curl: (28) Connection timed out after 2000 milliseconds\n' });
  });

  it('-f turns a 404 into exit 22, -w prints the status', () => {
    const p = withHttpd();
    const host = { userland: 'host' as const };
    expect(run(p.a, ['curl', '-f', 'http://10.0.0.2/nope'], host)).toMatchObject({ code: 22, stderr: 'curl: (22) The requested URL returned error: 404\n' });
    expect(run(p.a, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://10.0.0.2/'], host).stdout).toBe('200');
  });
});
