/**
 * busybox `httpd`: serves files of the process's file system over HTTP.
 *
 * Models: busybox 1.35 `networking/httpd.c`: `httpd [-f] [-v] -p [IP:]PORT -h HOME`; without
 * `-f` it daemonizes (the command returns 0 at once and the listening socket stays); it listens
 * on the IPv6 wildcard (`ss` shows `*:80`) with backlog 9; `GET /dir/` serves `index.html`;
 * headers `Content-type`, `Date`, `Connection: close`, `Accept-Ranges`, `Last-Modified`,
 * `ETag`, `Content-Length` for files, and its own HTML page for errors (404 "The requested URL
 * was not found", 501 for other methods than GET/HEAD/POST). Dates are the virtual clock's,
 * from the Unix epoch.
 * Leaves out: CGI, basic auth and httpd.conf, ranges, directory listings, `-i` inetd mode.
 */
import type { NetNamespace } from '../netns.js';
import type { Process } from '../process.js';
import { parseIpv4 } from '../../packet/index.js';
import { errnoText } from '../sockets/index.js';
import { getopt } from './args.js';
import { REASONS, startHttpServer, type HttpRequest, type HttpResponse } from './http.js';
import { ownerOf } from './util.js';

const MIME: Readonly<Record<string, string>> = {
  html: 'text/html',
  htm: 'text/html',
  txt: 'text/plain',
  css: 'text/css',
  js: 'application/javascript',
  json: 'application/json',
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  xml: 'text/xml',
};

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An RFC 7231 IMF-fixdate for virtual time `ns` counted from the Unix epoch (no host clock). */
export function httpDate(ns: number): string {
  const totalSeconds = Math.floor(ns / 1e9);
  const days = Math.floor(totalSeconds / 86400);
  const secs = totalSeconds % 86400;
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const two = (n: number): string => String(n).padStart(2, '0');
  const hh = Math.floor(secs / 3600);
  const mm = Math.floor((secs % 3600) / 60);
  return `${DAYS[(days + 4) % 7]}, ${two(d)} ${MONTHS[m - 1]} ${y} ${two(hh)}:${two(mm)}:${two(secs % 60)} GMT`;
}

/** Joins `home` and a request path, refusing to climb above `home`. */
function resolvePath(home: string, target: string): string | undefined {
  const path = decodeURIComponent(target.split('?')[0] ?? '/');
  const parts: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
      continue;
    }
    parts.push(seg);
  }
  const base = home.endsWith('/') ? home.slice(0, -1) : home;
  return `${base}/${parts.join('/')}${path.endsWith('/') && parts.length > 0 ? '/' : ''}`;
}

/** The response busybox httpd gives `req` from the files under `home`. */
export function busyboxHttpdResponse(ns: NetNamespace, fs: ReadonlyMap<string, string>, home: string, req: HttpRequest): HttpResponse {
  const now = httpDate(ns.host.world.engine.now);
  const error = (status: number, message: string): HttpResponse => ({
    status,
    headers: [
      ['Content-type', 'text/html'],
      ['Date', now],
      ['Connection', 'close'],
    ],
    body: `<HTML><HEAD><TITLE>${status} ${REASONS[status]}</TITLE></HEAD>\n<BODY><H1>${status} ${REASONS[status]}</H1>\n${message}\n</BODY></HTML>\n`,
  });
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') return error(501, 'Not Implemented');
  let path = resolvePath(home, req.target);
  if (path === undefined) return error(400, 'No request appeared within 60 seconds');
  if (path.endsWith('/')) path += 'index.html';
  let content = fs.get(path);
  if (content === undefined && fs.get(`${path}/index.html`) !== undefined) content = fs.get(`${path}/index.html`);
  if (content === undefined) return error(404, 'The requested URL was not found');
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  const bytes = new TextEncoder().encode(content);
  return {
    status: 200,
    headers: [
      ['Content-type', MIME[ext] ?? 'application/octet-stream'],
      ['Date', now],
      ['Connection', 'close'],
      ['Accept-Ranges', 'bytes'],
      ['Last-Modified', httpDate(0)],
      ['ETag', `"0-${bytes.length.toString(16)}"`],
      ['Content-Length', String(bytes.length)],
    ],
    body: bytes,
  };
}

export function httpd(proc: Process, argv: readonly string[]): void {
  const args = getopt(argv.slice(1), 'fvip:h:c:r:u:m:e:d:');
  if (args.error !== undefined) {
    proc.err(`httpd: ${args.error}\nUsage: httpd [-ifv[v]] [-c CONFFILE] [-p [IP:]PORT] [-u USER[:GRP]] [-r REALM] [-h HOME]\n`);
    proc.exit(1);
    return;
  }
  const home = args.get('h') ?? '/var/www';
  const spec = args.get('p') ?? '80';
  const colon = spec.lastIndexOf(':');
  const address = colon >= 0 ? parseIpv4(spec.slice(0, colon)) : 0;
  const port = Number(colon >= 0 ? spec.slice(colon + 1) : spec);
  if (address === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
    proc.err(`httpd: bad port '${spec}'\n`);
    proc.exit(1);
    return;
  }
  const fs = proc.fs;
  const started = startHttpServer(proc.ns, port, req => busyboxHttpdResponse(proc.ns, fs, home, req), {
    owner: ownerOf(proc),
    family: address === 0 ? 'inet6' : 'inet',
    address,
    backlog: 9,
  });
  if (!started.ok) {
    proc.err(`httpd: bind: ${errnoText(started.errno)}\n`);
    proc.exit(1);
    return;
  }
  if (!args.has('f')) {
    // Daemonized: the parent returns, the child keeps the socket for the life of the namespace.
    proc.exit(0);
    return;
  }
  proc.onCleanup(() => started.value.close());
}
