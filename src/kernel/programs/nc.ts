/**
 * `nc`: a TCP or UDP client or server moving stdin to the network and the network to stdout,
 * and a port probe (`-z`), in busybox 1.35's style (the `nc_bloaty` applet Debian builds).
 *
 * Models: busybox `networking/nc_bloaty.c`: `-v` reports `HOST (IP:PORT) open` or
 * `nc: HOST (IP:PORT): <errnoText>` on stderr; a listener binds the IPv6 wildcard (shown as `*`
 * by `ss`) and with `-v` says `listening on [::]:PORT ...` and `connect to ... from ...`;
 * `-w SECS` bounds the connect and the wait for network data after stdin ends; `-q SECS` quits
 * that long after stdin ends; the client exits when the peer closes. At the end of stdin (all of
 * it is sent at once) the sending half is shut down, as busybox's small `nc.c` does, so the
 * peer sees EOF. Without `-v` a failed
 * connect prints `nc: can't connect to remote host (IP): <errnoText>` (busybox `xconnect`).
 * Options: -l -p PORT -u -z -w SECS -q SECS -v -n -s ADDR -k (keep listening).
 * Leaves out: -e/-c (executing a program), -i intervals, -o hex dumps, source routing, telnet
 * negotiation; stdin is the whole text given to the process, sent at once.
 */
import { formatIpv4, payloadText, type Ipv4 } from '../../packet/index.js';
import type { Process } from '../process.js';
import { errnoText, type Errno, type TcpSocket } from '../sockets/index.js';
import { getopt, parseCount, parseSeconds } from './args.js';
import { resolveHost } from './resolver.js';
import { ownerOf, secondsToNs, socketsFor, text } from './util.js';

const USAGE = 'Usage: nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen\n';

export function nc(proc: Process, argv: readonly string[]): void {
  const args = getopt(argv.slice(1), 'lp:uzw:q:vns:ke:i:o:');
  if (args.error !== undefined) {
    proc.err(`nc: ${args.error}\n${USAGE}`);
    proc.exit(1);
    return;
  }
  const o: NcOptions = {
    listen: args.has('l'),
    keep: args.has('k') || args.count('l') > 1,
    udp: args.has('u'),
    zero: args.has('z'),
    verbose: args.has('v'),
    waitNs: args.has('w') ? secondsToNs(parseSeconds(args.get('w')) ?? 0) : undefined,
    quitNs: args.has('q') ? secondsToNs(parseSeconds(args.get('q')) ?? 0) : undefined,
    localPort: parseCount(args.get('p')),
  };
  if (o.listen) {
    if (o.localPort === undefined && args.operands.length === 0) {
      proc.err(USAGE);
      proc.exit(1);
      return;
    }
    listen(proc, o, o.localPort ?? parseCount(args.operands[0]) ?? 0);
    return;
  }
  const host = args.operands[0];
  const port = parseCount(args.operands[1]);
  if (host === undefined || port === undefined) {
    proc.err(USAGE);
    proc.exit(1);
    return;
  }
  resolveHost(proc, host, r => {
    if (!r.ok) {
      proc.err(`nc: bad address '${host}'\n`);
      proc.exit(1);
      return;
    }
    const dst = r.addresses[0]!;
    if (o.udp) udpClient(proc, o, dst, port);
    else tcpClient(proc, o, host, dst, port);
  });
}

interface NcOptions {
  readonly listen: boolean;
  readonly keep: boolean;
  readonly udp: boolean;
  readonly zero: boolean;
  readonly verbose: boolean;
  readonly waitNs: number | undefined;
  readonly quitNs: number | undefined;
  readonly localPort: number | undefined;
}

function tcpClient(proc: Process, o: NcOptions, host: string, dst: Ipv4, port: number): void {
  const sock = socketsFor(proc).tcp({ owner: ownerOf(proc) });
  proc.onCleanup(() => sock.abort());
  const where = `${host} (${formatIpv4(dst)}:${port})`;
  const failed = (errno: Errno): void => {
    if (o.verbose) proc.err(`nc: ${where}: ${errnoText(errno)}\n`);
    else if (!o.zero) proc.err(`nc: can't connect to remote host (${formatIpv4(dst)}): ${errnoText(errno)}\n`);
    proc.exit(1);
  };
  if (o.localPort !== undefined && !sock.bind(0, o.localPort).ok) {
    proc.err('nc: bind: Address already in use\n');
    proc.exit(1);
    return;
  }
  let connectTimer = o.waitNs === undefined ? undefined : proc.after(o.waitNs, () => failed('ETIMEDOUT'));
  let idleTimer: ReturnType<Process['after']> | undefined;
  let connected = false;
  sock.onError = errno => {
    proc.cancelTimer(connectTimer);
    if (sock.state === 'CLOSED' && !connected) failed(errno);
    else proc.exit(errno === 'ECONNRESET' ? 1 : 0);
  };
  sock.onConnect = () => {
    connected = true;
    proc.cancelTimer(connectTimer);
    connectTimer = undefined;
    if (o.verbose) proc.err(`${where} open\n`);
    if (o.zero) {
      sock.close();
      proc.exit(0);
      return;
    }
    if (proc.stdin !== '') sock.send(proc.stdin);
    // stdin is at its end now. nc.c: "Close outgoing half-connection so they get EOF, but leave
    // incoming alone so we can see response" (shutdown(SHUT_WR)); -q quits after a while
    // instead, -w waits that long for network data.
    if (o.quitNs === undefined) sock.shutdownWrite();
    else {
      proc.after(o.quitNs, () => {
        sock.close();
        proc.exit(0);
      });
    }
    armIdle();
  };
  const armIdle = (): void => {
    if (o.waitNs === undefined) return;
    proc.cancelTimer(idleTimer);
    idleTimer = proc.after(o.waitNs, () => {
      sock.close();
      proc.exit(0);
    });
  };
  sock.onData = bytes => {
    proc.out(text(bytes));
    armIdle();
  };
  sock.onEnd = () => {
    sock.close();
    proc.exit(0);
  };
  const started = sock.connect(dst, port);
  if (!started.ok) {
    proc.cancelTimer(connectTimer);
    failed(started.errno);
  }
}

function udpClient(proc: Process, o: NcOptions, dst: Ipv4, port: number): void {
  const sock = socketsFor(proc).udp({ owner: ownerOf(proc) });
  proc.onCleanup(() => sock.close());
  if (o.localPort !== undefined) sock.bind(0, o.localPort);
  const connected = sock.connect(dst, port);
  if (!connected.ok) {
    proc.err(`nc: can't connect to remote host (${formatIpv4(dst)}): ${errnoText(connected.errno)}\n`);
    proc.exit(1);
    return;
  }
  let idle: ReturnType<Process['after']> | undefined;
  const armIdle = (): void => {
    if (o.waitNs === undefined) return;
    proc.cancelTimer(idle);
    idle = proc.after(o.waitNs, () => proc.exit(0));
  };
  sock.onMessage = d => {
    proc.out(d.payload.kind === 'payload' ? payloadText(d.payload) : '');
    armIdle();
  };
  sock.onError = () => proc.exit(1);
  if (o.zero) {
    if (o.verbose) proc.err(`${formatIpv4(dst)} (${formatIpv4(dst)}:${port}) open\n`);
    proc.exit(0);
    return;
  }
  if (proc.stdin !== '') {
    const sent = sock.send(proc.stdin);
    if (!sent.ok) {
      proc.err(`nc: write: ${errnoText(sent.errno)}\n`);
      proc.exit(1);
      return;
    }
  }
  if (o.quitNs !== undefined) proc.after(o.quitNs, () => proc.exit(0));
  armIdle();
}

function listen(proc: Process, o: NcOptions, port: number): void {
  const table = socketsFor(proc);
  if (o.udp) {
    const sock = table.udp({ owner: ownerOf(proc), family: 'inet6' });
    proc.onCleanup(() => sock.close());
    const bound = sock.bind(0, port);
    if (!bound.ok) {
      proc.err(`nc: bind: ${errnoText(bound.errno)}\n`);
      proc.exit(1);
      return;
    }
    if (o.verbose) proc.err(`listening on [::]:${sock.localPort} ...\n`);
    let replied = false;
    sock.onMessage = d => {
      proc.out(d.payload.kind === 'payload' ? payloadText(d.payload) : '');
      if (!replied && proc.stdin !== '') {
        replied = true;
        sock.send(proc.stdin, { addr: d.src, port: d.srcPort });
      }
    };
    return;
  }
  const listener = table.tcp({ owner: ownerOf(proc), family: 'inet6' });
  proc.onCleanup(() => listener.close());
  const bound = listener.bind(0, port);
  const listening = bound.ok ? listener.listen(1) : bound;
  if (!listening.ok) {
    proc.err(`nc: bind: ${errnoText(listening.errno)}\n`);
    proc.exit(1);
    return;
  }
  if (o.verbose) proc.err(`listening on [::]:${listener.localPort} ...\n`);
  listener.onAccept = (conn: TcpSocket) => {
    if (!o.keep) listener.close();
    if (o.verbose) {
      const local = `[::ffff:${formatIpv4(conn.localAddr)}]:${conn.localPort}`;
      const remote = `[::ffff:${formatIpv4(conn.remoteAddr)}]:${conn.remotePort}`;
      proc.err(`connect to ${local} from ${remote} (${remote})\n`);
    }
    proc.onCleanup(() => conn.abort());
    if (proc.stdin !== '') conn.send(proc.stdin);
    conn.shutdownWrite();
    conn.onData = bytes => proc.out(text(bytes));
    conn.onEnd = () => {
      conn.close();
      if (!o.keep) proc.exit(0);
    };
    conn.onError = () => {
      if (!o.keep) proc.exit(1);
    };
  };
}
