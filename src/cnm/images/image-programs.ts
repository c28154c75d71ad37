/**
 * What the catalogue's images run: the server and shell programs an image adds to the simulated
 * userland, and how each answers the stop signal.
 *
 * Models: the official images' processes as PID 1 of a container:
 * - `nginx` (HTTP on 0.0.0.0:80; every answer is the container's hostname so load balancing is
 *   visible; an access-log line per request on stdout; SIGQUIT/SIGTERM: graceful exit 0),
 * - `httpd-foreground` (Apache: "It works!" on 80; SIGWINCH: exit 0),
 * - `redis-server` (RESP on 6379: `PING` -> `+PONG`; SIGTERM: exit 0),
 * - `consul agent` (HTTP API on 8500; SIGTERM: exit 0),
 * - `python3 -m http.server [port]`, and the `python3`/`node`/`sh` REPLs and shells, which read
 *   stdin: without `-i` they see end-of-file and exit 0 at once, with `-i` they wait forever,
 * - `top`, which never exits on its own,
 * - `docker-entrypoint.sh`, which hands over to the image's program (`-x` arguments go to the
 *   default binary, as the official scripts do),
 * - `sh -c 'cmd; cmd && cmd'`: simple commands in sequence, each a child process.
 * A process without a handler is PID 1 and ignores SIGTERM, as Linux does for PID 1: `docker stop`
 * then waits its timeout and kills it (exit 137). Programs of the host userland (`sleep`,
 * `ping`, busybox `httpd`) are PID 1 the same way.
 * Leaves out: configuration files, worker processes, redis commands other than PING/ECHO,
 * consul's gossip and DNS ports, pipes and variables in `sh -c`.
 */
import { socketsOf, startHttpServer, type HttpRequest, type HttpResponse, type Process } from '../../kernel/index.js';
import { formatIpv4 } from '../../packet/index.js';
import { DOCKER_EPOCH_UNIX_SECONDS, formatRfc3339Nano } from '../core/index.js';

/** What a container gives the programs its image runs. */
export interface ContainerRuntime {
  /** stdin is kept open (`-i`): shells and REPLs wait instead of exiting. */
  readonly interactive: boolean;
  /** Starts `argv` as a child process in the container; a string is the shell's error. */
  spawnChild(argv: readonly string[]): Process | string;
}

export type ImageProgram = (proc: Process, rt: ContainerRuntime) => void;

export interface ImageProgramSpec {
  readonly program: ImageProgram;
  /** The program handles its image's stop signal (otherwise PID 1 ignores it). */
  readonly handlesStop: boolean;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Virtual time as a UTC date in the daemon's calendar (docker-time.ts). */
function utc(proc: Process): { y: string; mo: number; d: string; hh: string; mm: string; ss: string; ms: string } {
  const ns = proc.ns.host.world.engine.now;
  const text = formatRfc3339Nano(DOCKER_EPOCH_UNIX_SECONDS + Math.floor(ns / 1e9), 0);
  const [, y = '', mo = '1', d = '', hh = '', mm = '', ss = ''] = /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)/.exec(text) ?? [];
  return { y, mo: Number(mo) - 1, d, hh, mm, ss, ms: String(Math.floor((ns % 1e9) / 1e6)).padStart(3, '0') };
}

function owner(proc: Process): { comm: string; pid: number; fd: number } {
  return { comm: proc.comm, pid: proc.pid, fd: proc.allocFd() };
}

/** Serves HTTP on `port` until the process exits; false (and exit 1) if the port is taken. */
function serveHttp(proc: Process, port: number, handler: (req: HttpRequest) => HttpResponse, tool: string): boolean {
  const started = startHttpServer(proc.ns, port, handler, { owner: owner(proc) });
  if (!started.ok) {
    proc.err(`${tool}: bind() to 0.0.0.0:${port} failed (98: Address already in use)\n`);
    proc.exit(1);
    return false;
  }
  proc.onCleanup(() => started.value.close());
  return true;
}

/** A long-running server that exits 0 on its stop signal. */
function graceful(proc: Process): void {
  proc.onSignal(() => proc.exit(0));
}

const nginx: ImageProgram = proc => {
  const args = proc.argv.slice(1);
  if (args.includes('-v') || args.includes('-V')) {
    proc.err('nginx version: nginx/1.25.3\n');
    proc.exit(0);
    return;
  }
  if (args.includes('-t')) {
    proc.err('nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n');
    proc.exit(0);
    return;
  }
  const ok = serveHttp(
    proc,
    80,
    req => {
      const body = `${proc.hostname}\n`;
      const t = utc(proc);
      const agent = req.headers.find(([k]) => k.toLowerCase() === 'user-agent')?.[1] ?? '-';
      proc.out(`${formatIpv4(req.remoteAddr)} - - [${t.d}/${MONTHS[t.mo]}/${t.y}:${t.hh}:${t.mm}:${t.ss} +0000] "${req.method} ${req.target} ${req.version}" 200 ${body.length} "-" "${agent}" "-"\n`);
      return { status: 200, headers: [['Server', 'nginx/1.25.3'], ['Content-Type', 'text/plain']], body };
    },
    'nginx: [emerg]',
  );
  if (ok) graceful(proc);
};

const httpdForeground: ImageProgram = proc => {
  const ok = serveHttp(proc, 80, () => ({ status: 200, headers: [['Server', 'Apache/2.4.58 (Unix)'], ['Content-Type', 'text/html']], body: proc.fs.get('/usr/local/apache2/htdocs/index.html') ?? '<html><body><h1>It works!</h1></body></html>\n' }), 'httpd: (98)Address in use:');
  if (!ok) return;
  proc.err("AH00558: httpd: Could not reliably determine the server's fully qualified domain name. Set the 'ServerName' directive globally to suppress this message\n");
  proc.err('AH00489: Apache/2.4.58 (Unix) configured -- resuming normal operations\n');
  graceful(proc);
};

const redisServer: ImageProgram = proc => {
  const listener = socketsOf(proc.ns).tcp({ owner: owner(proc) });
  const bound = listener.bind(0, 6379);
  if (!bound.ok || !listener.listen(511).ok) {
    listener.close();
    proc.out('# Warning: Could not create server TCP listening socket *:6379: bind: Address already in use\n');
    proc.exit(1);
    return;
  }
  listener.onAccept = conn => {
    let buf = '';
    conn.onData = bytes => {
      buf += new TextDecoder().decode(bytes);
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        if (line.startsWith('*') || line.startsWith('$')) continue;
        const [cmd = '', ...rest] = line.trim().split(/\s+/);
        if (cmd.toUpperCase() === 'PING') conn.send(rest.length === 0 ? '+PONG\r\n' : `$${rest.join(' ').length}\r\n${rest.join(' ')}\r\n`);
        else if (cmd.toUpperCase() === 'ECHO') conn.send(`$${rest.join(' ').length}\r\n${rest.join(' ')}\r\n`);
        else if (cmd.toUpperCase() === 'QUIT') {
          conn.send('+OK\r\n');
          conn.close();
        } else if (cmd !== '') conn.send(`-ERR unknown command '${cmd}', with args beginning with: \r\n`);
      }
    };
    conn.onEnd = () => conn.close();
  };
  proc.onCleanup(() => listener.close());
  const t = utc(proc);
  const stamp = `${t.d} ${MONTHS[t.mo]} ${t.y} ${t.hh}:${t.mm}:${t.ss}.${t.ms}`;
  proc.out(`1:C ${stamp} # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo\n1:M ${stamp} * Running mode=standalone, port=6379.\n1:M ${stamp} * Ready to accept connections tcp\n`);
  graceful(proc);
};

const consul: ImageProgram = proc => {
  const sub = proc.argv[1];
  if (sub === 'version') {
    proc.out('Consul v1.15.4\nRevision 2b1fd9cb\nBuild Date 2023-11-01T17:00:00Z\n');
    proc.exit(0);
    return;
  }
  if (sub !== 'agent') {
    proc.err(`Usage: consul [--version] [--help] <command> [<args>]\n`);
    proc.exit(1);
    return;
  }
  const ok = serveHttp(proc, 8500, req => ({ status: 200, headers: [['Content-Type', 'application/json'], ['X-Consul-Default-Acl-Policy', 'allow']], body: req.target.startsWith('/v1/status/leader') ? `"${proc.hostname}:8300"` : '{}' }), 'consul:');
  if (!ok) return;
  proc.out(`==> Starting Consul agent...\n              Version: '1.15.4'\n            Node name: '${proc.hostname}'\n           Datacenter: 'dc1' (Segment: '<all>')\n               Server: true (Bootstrap: false)\n          Client Addr: [0.0.0.0] (HTTP: 8500, HTTPS: -1, gRPC: 8502, gRPC-TLS: 8503, DNS: 8600)\n==> Consul agent running!\n`);
  graceful(proc);
};

/** A REPL or shell reading stdin: EOF at once without `-i`. */
function repl(proc: Process, rt: ContainerRuntime): void {
  if (!rt.interactive) proc.exit(0);
}

const python: ImageProgram = (proc, rt) => {
  const args = proc.argv.slice(1);
  if (args[0] === '--version' || args[0] === '-V') {
    proc.out('Python 3.12.1\n');
    proc.exit(0);
    return;
  }
  if (args[0] === '-m' && args[1] === 'http.server') {
    const port = Number(args[2] ?? '8000');
    const ok = serveHttp(proc, port, () => ({ status: 200, headers: [['Server', 'SimpleHTTP/0.6 Python/3.12.1'], ['Content-type', 'text/html; charset=utf-8']], body: '<!DOCTYPE HTML>\n<html lang="en">\n<head>\n<title>Directory listing for /</title>\n</head>\n<body>\n<h1>Directory listing for /</h1>\n<hr>\n<ul>\n</ul>\n<hr>\n</body>\n</html>\n' }), 'OSError: [Errno 98]');
    if (ok) proc.out(`Serving HTTP on 0.0.0.0 port ${port} (http://0.0.0.0:${port}/) ...\n`);
    return;
  }
  if (args.length > 0) {
    proc.exit(0);
    return;
  }
  repl(proc, rt);
};

const node: ImageProgram = (proc, rt) => {
  const args = proc.argv.slice(1);
  if (args[0] === '-v' || args[0] === '--version') {
    proc.out('v20.10.0\n');
    proc.exit(0);
    return;
  }
  if (args.length > 0) {
    proc.exit(0);
    return;
  }
  repl(proc, rt);
};

/** Splits a `sh -c` script into simple commands joined by `;`, `&&` and `||`. */
export function splitScript(script: string): { words: string[]; op: ';' | '&&' | '||' }[] | string {
  const out: { words: string[]; op: ';' | '&&' | '||' }[] = [];
  let words: string[] = [];
  let cur: string | undefined;
  let op: ';' | '&&' | '||' = ';';
  let i = 0;
  const endWord = (): void => {
    if (cur !== undefined) words.push(cur);
    cur = undefined;
  };
  const endCommand = (next: ';' | '&&' | '||'): void => {
    endWord();
    if (words.length > 0) out.push({ words, op });
    words = [];
    op = next;
  };
  while (i < script.length) {
    const c = script[i]!;
    if (c === "'" || c === '"') {
      const j = script.indexOf(c, i + 1);
      if (j === -1) return `sh: syntax error: unterminated quoted string`;
      cur = (cur ?? '') + script.slice(i + 1, j);
      i = j + 1;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      endWord();
      i++;
    } else if (c === ';') {
      endCommand(';');
      i++;
    } else if (script.startsWith('&&', i) || script.startsWith('||', i)) {
      endCommand(script.slice(i, i + 2) as '&&' | '||');
      i += 2;
    } else if ('|&<>$`(){}'.includes(c)) {
      return `sh: cnmsim's sh runs simple commands only (found ${JSON.stringify(c)})`;
    } else {
      cur = (cur ?? '') + c;
      i++;
    }
  }
  endCommand(';');
  return out;
}

const sh: ImageProgram = (proc, rt) => {
  const args = proc.argv.slice(1);
  if (args.length === 0) {
    repl(proc, rt);
    return;
  }
  if (args[0] !== '-c') {
    proc.err(`sh: can't open '${args[0]}': No such file or directory\n`);
    proc.exit(2);
    return;
  }
  const script = splitScript(args[1] ?? '');
  if (typeof script === 'string') {
    proc.err(`${script}\n`);
    proc.exit(2);
    return;
  }
  let last = 0;
  const step = (i: number): void => {
    const cmd = script[i];
    if (cmd === undefined) {
      proc.exit(last);
      return;
    }
    if ((cmd.op === '&&' && last !== 0) || (cmd.op === '||' && last === 0)) {
      step(i + 1);
      return;
    }
    const child = rt.spawnChild(cmd.words);
    if (typeof child === 'string') {
      proc.err(child);
      last = 127;
      step(i + 1);
      return;
    }
    child.onExit(code => {
      proc.out(child.stdout);
      proc.err(child.stderr);
      last = code;
      step(i + 1);
    });
  };
  step(0);
};

/** `top` without a terminal: it keeps running until killed. */
const top: ImageProgram = () => {};

/** The programs images add, by name. */
export const IMAGE_PROGRAMS: Readonly<Record<string, ImageProgramSpec>> = {
  sh: { program: sh, handlesStop: false },
  top: { program: top, handlesStop: false },
  nginx: { program: nginx, handlesStop: true },
  'httpd-foreground': { program: httpdForeground, handlesStop: true },
  'redis-server': { program: redisServer, handlesStop: true },
  consul: { program: consul, handlesStop: true },
  python3: { program: python, handlesStop: false },
  python: { program: python, handlesStop: false },
  node: { program: node, handlesStop: false },
};

const ENTRYPOINT_DEFAULTS: Readonly<Record<string, string>> = { redis: 'redis-server', consul: 'consul', node: 'node' };
const CONSUL_SUBCOMMANDS = new Set(['agent', 'members', 'version', 'join', 'leave', 'info', 'kv', 'catalog']);

/**
 * `docker-entrypoint.sh ARGS` of image `repo`: the argv it execs and what it prints first.
 * nginx's script announces its configuration steps; the others hand `-flag` arguments (and,
 * for consul, its subcommands) to the image's binary.
 */
export function entrypointArgv(repo: string, args: readonly string[]): { argv: string[]; prelude: string } {
  const first = args[0] ?? '';
  const binary = ENTRYPOINT_DEFAULTS[repo];
  let argv = [...args];
  if (binary !== undefined && (first.startsWith('-') || first === '' || (repo === 'consul' && CONSUL_SUBCOMMANDS.has(first)))) argv = [binary, ...args];
  const prelude =
    repo === 'nginx' && first === 'nginx'
      ? '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration\n/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/\n/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh\n/docker-entrypoint.sh: Configuration complete; ready for start up\n'
      : '';
  return { argv, prelude };
}
