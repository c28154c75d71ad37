/**
 * `curl` (as on a Debian 12 host, curl 7.88): an HTTP/1.1 GET over the simulated TCP.
 *
 * Models: curl's messages and exit codes: `curl: (6) Could not resolve host: x`, `curl: (7)
 * Failed to connect to HOST port PORT after N ms: Couldn't connect to server` (refused,
 * unreachable, or the kernel's connect timeout), `curl: (28) Connection timed out after N
 * milliseconds` when `-m`/`--connect-timeout` expires while connecting and `curl: (28) Operation
 * timed out after N milliseconds with M bytes received` afterwards, `curl: (22) The requested
 * URL returned error: 404` with `-f`, `curl: (52) Empty reply from server`; `-s` silences them
 * (unless `-S`), `-o FILE` writes into the file system, `-i` includes the response head, `-I`
 * sends HEAD, `-v` prints the `*`, `>` and `<` lines on stderr, `-w` supports `%{http_code}`.
 * N is virtual milliseconds.
 * Leaves out: the progress meter (output is as with `-s` unless an error is shown), HTTPS,
 * redirects (`-L`), POST bodies, retries.
 */
import { formatIpv4 } from '../../packet/index.js';
import type { Process } from '../process.js';
import { getopt, parseSeconds } from './args.js';
import { httpExchange, parseHttpUrl } from './http.js';
import { resolveHost } from './resolver.js';
import { ownerOf, secondsToNs, socketsFor, text } from './util.js';

const LONGS = {
  silent: { key: 's', hasArg: false },
  'show-error': { key: 'S', hasArg: false },
  'max-time': { key: 'm', hasArg: true },
  'connect-timeout': { key: 'connect-timeout', hasArg: true },
  output: { key: 'o', hasArg: true },
  verbose: { key: 'v', hasArg: false },
  include: { key: 'i', hasArg: false },
  head: { key: 'I', hasArg: false },
  fail: { key: 'f', hasArg: false },
  'write-out': { key: 'w', hasArg: true },
  header: { key: 'H', hasArg: true },
  'user-agent': { key: 'A', hasArg: true },
  request: { key: 'X', hasArg: true },
} as const;

export function curl(proc: Process, argv: readonly string[]): void {
  const args = getopt(argv.slice(1), 'sSm:o:viIfw:H:A:X:', LONGS);
  if (args.error !== undefined) {
    proc.err(`curl: ${args.error}\ncurl: try 'curl --help' or 'curl --manual' for more information\n`);
    proc.exit(2);
    return;
  }
  const urlText = args.operands[0];
  if (urlText === undefined) {
    proc.err("curl: try 'curl --help' or 'curl --manual' for more information\n");
    proc.exit(2);
    return;
  }
  const silent = args.has('s') && !args.has('S');
  const verbose = args.has('v');
  const fail = (code: number, message: string): void => {
    if (!silent) proc.err(`curl: (${code}) ${message}\n`);
    proc.exit(code);
  };
  const url = parseHttpUrl(urlText, 'http');
  if (url === undefined) {
    const scheme = /^([a-z0-9+.-]+):\/\//i.exec(urlText)?.[1] ?? urlText;
    fail(1, `Protocol "${scheme}" not supported or disabled in libcurl`);
    return;
  }
  if (url.scheme === 'https') {
    fail(1, 'Protocol "https" not supported or disabled in libcurl');
    return;
  }
  const engine = proc.host.world.engine;
  const start = engine.now;
  const elapsedMs = (): number => Math.floor((engine.now - start) / 1e6);
  const maxTime = parseSeconds(args.get('m'));
  const connectTimeout = parseSeconds(args.get('connect-timeout'));
  let connected = false;
  let received = 0;
  if (maxTime !== undefined && maxTime > 0) {
    proc.after(secondsToNs(maxTime), () => {
      if (connected) fail(28, `Operation timed out after ${elapsedMs()} milliseconds with ${received} bytes received`);
      else fail(28, `Connection timed out after ${elapsedMs()} milliseconds`);
    });
  }
  if (connectTimeout !== undefined && connectTimeout > 0) {
    proc.after(secondsToNs(connectTimeout), () => {
      if (!connected) fail(28, `Connection timed out after ${elapsedMs()} milliseconds`);
    });
  }
  resolveHost(proc, url.host, r => {
    if (!r.ok) {
      fail(6, `Could not resolve host: ${url.host}`);
      return;
    }
    const dst = r.addresses[0]!;
    const ip = formatIpv4(dst);
    if (verbose) proc.err(`*   Trying ${ip}:${url.port}...\n`);
    const sock = socketsFor(proc).tcp({ owner: ownerOf(proc) });
    // Exiting closes the fd: a graceful close (FIN, then TIME_WAIT in conntrack, as the reference
    // captures show after every fetch), not a reset; httpExchange has usually closed it already.
    proc.onCleanup(() => sock.close());
    const method = args.get('X') ?? (args.has('I') ? 'HEAD' : 'GET');
    const lines = [`${method} ${url.path} HTTP/1.1`, `Host: ${url.hostPort}`, `User-Agent: ${args.get('A') ?? 'curl/7.88.1'}`, 'Accept: */*'];
    for (const h of args.all('H')) lines.push(h);
    const request = `${lines.join('\r\n')}\r\n\r\n`;
    httpExchange(sock, dst, url.port, request, {
      onConnect: () => {
        connected = true;
        if (verbose) {
          proc.err(`* Connected to ${url.host} (${ip}) port ${url.port} (#0)\n`);
          proc.err(`${lines.map(l => `> ${l}`).join('\n')}\n>\n`);
        }
      },
      onError: (errno, wasConnected) => {
        if (wasConnected) fail(52, 'Empty reply from server');
        else {
          void errno;
          fail(7, `Failed to connect to ${url.host} port ${url.port} after ${elapsedMs()} ms: Couldn't connect to server`);
        }
      },
      onReply: reply => {
        received = reply.body.length;
        if (verbose) {
          let head = `< ${reply.statusLine}\n`;
          for (const [k, v] of reply.headers) head += `< ${k}: ${v}\n`;
          proc.err(`${head}<\n`);
        }
        if (args.has('f') && reply.status >= 400) {
          fail(22, `The requested URL returned error: ${reply.status}`);
          return;
        }
        let out = '';
        if (args.has('i') || args.has('I')) {
          out += `${reply.statusLine}\r\n`;
          for (const [k, v] of reply.headers) out += `${k}: ${v}\r\n`;
          out += '\r\n';
        }
        if (!args.has('I')) out += text(reply.body);
        const file = args.get('o');
        if (file !== undefined && file !== '-') proc.fs.set(file.startsWith('/') ? file : `/${file}`, out);
        else proc.out(out);
        const writeOut = args.get('w');
        if (writeOut !== undefined) proc.out(writeOut.replace(/%\{http_code\}/g, String(reply.status).padStart(3, '0')).replace(/\\n/g, '\n'));
        if (verbose) proc.err(`* Closing connection 0\n`);
        proc.exit(0);
      },
    });
  });
}
