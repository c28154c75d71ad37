/**
 * busybox `wget`: an HTTP/1.1 GET over the simulated TCP, with busybox 1.35's messages.
 *
 * Models: busybox `networking/wget.c`: the request (`GET /path HTTP/1.1`, `Host`,
 * `User-Agent: Wget`, `Connection: close`); without `-q`: `Connecting to HOST (IP:PORT)`,
 * `saving to 'FILE'` or `writing to stdout`, the progress line and `'FILE' saved` / `written to
 * stdout` on stderr; `-S` prints the response head indented by two spaces; errors and their
 * exit status 1: `wget: bad address 'x'`, `wget: can't connect to remote host (IP): <errnoText>`
 * (a silently dropped SYN fails after the kernel's 127 s of retries, `Connection timed out`),
 * `wget: server returned error: HTTP/1.1 404 Not Found`, `wget: download timed out` when `-T`
 * expires (connect included), `wget: not an http or ftp url: x`. The body goes to stdout with
 * `-O -`, otherwise into the file system (`-O FILE`, else the last path component or
 * `index.html`).
 * Leaves out: redirects, proxies, FTP and HTTPS, `-c`, `--spider`, `-P`, chunked decoding.
 */
import { formatIpv4 } from '../../packet/index.js';
import type { Process } from '../process.js';
import { errnoText } from '../sockets/index.js';
import { getopt, parseSeconds } from './args.js';
import { httpExchange, parseHttpUrl } from './http.js';
import { resolveHost } from './resolver.js';
import { ownerOf, secondsToNs, socketsFor, text } from './util.js';

const LONGS = {
  quiet: { key: 'q', hasArg: false },
  'output-document': { key: 'O', hasArg: true },
  timeout: { key: 'T', hasArg: true },
  'server-response': { key: 'S', hasArg: false },
  'user-agent': { key: 'U', hasArg: true },
  header: { key: 'header', hasArg: true },
  spider: { key: 's', hasArg: false },
  'no-check-certificate': { key: 'nocert', hasArg: false },
} as const;

function progressLine(name: string, size: number): string {
  return `${name.slice(0, 20).padEnd(20)} 100% |${'*'.repeat(32)}| ${String(size).padStart(5)}  0:00:00 ETA\n`;
}

export function wget(proc: Process, argv: readonly string[]): void {
  const args = getopt(argv.slice(1), 'csqO:P:Y:U:t:T:S', LONGS);
  if (args.error !== undefined || args.operands[0] === undefined) {
    proc.err(`${args.error === undefined ? '' : `wget: ${args.error}\n`}Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header 'HEADER: VALUE'] [-Y on/off]\n\t[--no-check-certificate] [-P DIR] [-U AGENT] [-T SEC] URL...\n`);
    proc.exit(1);
    return;
  }
  const urlText = args.operands[0];
  const url = parseHttpUrl(urlText);
  if (url === undefined || url.scheme !== 'http') {
    proc.err(`wget: not an http or ftp url: ${urlText}\n`);
    proc.exit(1);
    return;
  }
  const quiet = args.has('q');
  const showHead = args.has('S');
  const output = args.get('O');
  const last = url.path.split('?')[0]!.split('/').pop() ?? '';
  const fileName = output ?? (last === '' ? 'index.html' : last);
  const toStdout = fileName === '-';
  const timeout = parseSeconds(args.get('T'));
  if (timeout !== undefined && timeout > 0) {
    proc.after(secondsToNs(timeout), () => {
      proc.err('wget: download timed out\n');
      proc.exit(1);
    });
  }
  resolveHost(proc, url.host, r => {
    if (!r.ok) {
      proc.err(`wget: bad address '${url.host}'\n`);
      proc.exit(1);
      return;
    }
    const dst = r.addresses[0]!;
    if (!quiet) proc.err(`Connecting to ${url.hostPort} (${formatIpv4(dst)}:${url.port})\n`);
    const sock = socketsFor(proc).tcp({ owner: ownerOf(proc) });
    // Exiting closes the fd: a graceful close (FIN, then TIME_WAIT in conntrack, as the reference
    // captures show after every fetch), not a reset; httpExchange has usually closed it already.
    proc.onCleanup(() => sock.close());
    const agent = args.get('U') ?? 'Wget';
    let request = `GET ${url.path} HTTP/1.1\r\nHost: ${url.hostPort}\r\nUser-Agent: ${agent}\r\n`;
    for (const h of args.all('header')) request += `${h}\r\n`;
    request += 'Connection: close\r\n\r\n';
    httpExchange(sock, dst, url.port, request, {
      onError: (errno, connected) => {
        if (connected) proc.err(`wget: error getting response: ${errnoText(errno)}\n`);
        else proc.err(`wget: can't connect to remote host (${formatIpv4(dst)}): ${errnoText(errno)}\n`);
        proc.exit(1);
      },
      onHead: head => {
        if (!showHead) return;
        let out = `  ${head.statusLine}\n`;
        for (const [k, v] of head.headers) out += `  ${k}: ${v}\n`;
        proc.err(out);
      },
      onReply: reply => {
        if (reply.status < 200 || reply.status >= 300) {
          proc.err(`wget: server returned error: ${reply.statusLine}\n`);
          proc.exit(1);
          return;
        }
        const body = text(reply.body);
        if (!quiet) proc.err(toStdout ? 'writing to stdout\n' : `saving to '${fileName}'\n`);
        if (toStdout) proc.out(body);
        else proc.fs.set(fileName.startsWith('/') ? fileName : `/${fileName}`, body);
        if (!quiet) {
          proc.err(progressLine(toStdout ? '-' : fileName.split('/').pop() ?? fileName, reply.body.length));
          proc.err(toStdout ? 'written to stdout\n' : `'${fileName}' saved\n`);
        }
        proc.exit(0);
      },
    });
  });
}
