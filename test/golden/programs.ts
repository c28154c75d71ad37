/**
 * Two host programs the capture scripts used that the simulated userland does not need elsewhere:
 *
 * - `nsenter -t CONTAINER -n CMD...`: runs CMD with the host's tools inside a container's network
 *   namespace, as `nsenter -t <pid> -n ip addr` did in lib/capture.sh. `-t` takes the container's
 *   name (the scripts passed its pid from `docker inspect -f '{{.State.Pid}}'`).
 * - `timeout SECONDS CMD...`: busybox `timeout`: kills CMD with SIGTERM after SECONDS of virtual
 *   time and exits with the child's status, 128+15 = 143, as the fetch matrix recorded it
 *   (`docker exec cl timeout 4 wget ...`).
 *
 * - `dnsstub ADDR`: lib/dnsstub.py, a local DNS stub on UDP ADDR:53 of the namespace it runs in:
 *   `external-stub.test` A -> 10.123.0.1 (TTL 60), other types of that name NOERROR with no
 *   records, every other name NXDOMAIN (not authoritative). It runs in the background (the script
 *   started it with `&`), so the command returns at once and leaves the socket bound.
 * - `udpecho PORT`: lib/udpecho.py, a UDP echo server on 0.0.0.0:PORT answering `echo:<payload>`,
 *   in the background (the script started it with `&`, inside u1's namespace through nsenter).
 * - `udpsend ADDR PORT`: lib/udpsend.py: sends `ping-from-host` and prints
 *   `reply from ADDR:PORT b'echo:ping-from-host'`, or `NO REPLY: timeout timed out` after 2 s.
 *
 * The golden services are the default ones plus these programs.
 */
import { aRecord, dnsReply, socketsOf, spawn, startDnsServer, type Process, type ProgramRegistry } from '../../src/kernel/index.js';
import { DNS_RCODE, DNS_TYPE, formatIpv4, parseIpv4, payloadText } from '../../src/packet/index.js';
import type { DockerEngine, MachineServices } from '../../src/scenario/machines.js';
import { defaultServices } from '../../src/scenario/services.js';

function relay(proc: Process, child: Process): void {
  proc.onSignal((signal) => child.kill(signal));
  child.onExit((code) => {
    proc.out(child.stdout);
    proc.err(child.stderr);
    proc.exit(code);
  });
}

function nsenter(registry: ProgramRegistry, engine: () => DockerEngine | undefined) {
  return (proc: Process): void => {
    const args = proc.argv.slice(1);
    let target: string | undefined;
    let net = false;
    while (args.length > 0 && args[0]!.startsWith('-')) {
      const a = args.shift()!;
      if (a === '-t' || a === '--target') target = args.shift();
      else if (a === '-n' || a === '--net') net = true;
      else {
        proc.err(`nsenter: unrecognized option '${a}'\n`);
        proc.exit(1);
        return;
      }
    }
    const ctx = target === undefined ? undefined : engine()?.containerContext(target);
    if (ctx === undefined || !net || args.length === 0) {
      proc.err(`nsenter: cannot open /proc/${target ?? ''}/ns/net: No such file or directory\n`);
      proc.exit(1);
      return;
    }
    const child = spawn(registry, { ns: ctx.ns, argv: args, fs: proc.fs, userland: 'host', hostname: proc.hostname });
    relay(proc, child);
  };
}

function timeout(registry: ProgramRegistry) {
  return (proc: Process): void => {
    const seconds = Number(proc.argv[1]);
    const argv = proc.argv.slice(2);
    if (!Number.isFinite(seconds) || argv.length === 0) {
      proc.err('Usage: timeout [-s SIG] [-k KILL_SECS] SECS PROG ARGS\n');
      proc.exit(1);
      return;
    }
    const child = spawn(registry, { ns: proc.ns, argv, fs: proc.fs, userland: proc.userland, hostname: proc.hostname });
    relay(proc, child);
    if (!child.done) proc.after(seconds * 1e9, () => child.kill(15));
  };
}

function dnsstub(proc: Process): void {
  const addr = parseIpv4(proc.argv[1] ?? '');
  if (addr === undefined) {
    proc.err('usage: dnsstub ADDR\n');
    proc.exit(2);
    return;
  }
  const started = startDnsServer(proc.ns, addr, 53, (query) => {
    const q = query.questions[0];
    const name = q?.name.toLowerCase().replace(/\.$/u, '');
    if (name !== 'external-stub.test') return dnsReply(query, [], DNS_RCODE.NXDOMAIN);
    if (q?.type !== DNS_TYPE.A) return dnsReply(query, []);
    return dnsReply(query, [aRecord(q.name, parseIpv4('10.123.0.1')!, 60)]);
  });
  if (!started.ok) {
    proc.err(`OSError: [Errno 98] Address already in use\n`);
    proc.exit(1);
    return;
  }
  proc.out(`listening ${proc.argv[1]}\n`);
  proc.exit(0);
}

function udpecho(proc: Process): void {
  const sock = socketsOf(proc.ns).udp();
  const bound = sock.bind(0, Number(proc.argv[1]));
  if (!bound.ok) {
    proc.err('OSError: [Errno 98] Address already in use\n');
    proc.exit(1);
    return;
  }
  sock.onMessage = (d) => {
    const text = d.payload.kind === 'payload' ? payloadText(d.payload) : '';
    sock.send(`echo:${text}`, { addr: d.src, port: d.srcPort });
  };
  proc.out(`listening udp ${proc.argv[1]}\n`);
  proc.exit(0);
}

function udpsend(proc: Process): void {
  const addr = parseIpv4(proc.argv[1] ?? '');
  const port = Number(proc.argv[2]);
  if (addr === undefined || !Number.isInteger(port)) {
    proc.err('usage: udpsend ADDR PORT\n');
    proc.exit(2);
    return;
  }
  const sock = socketsOf(proc.ns).udp();
  proc.onCleanup(() => sock.close());
  sock.onMessage = (d) => {
    const text = d.payload.kind === 'payload' ? payloadText(d.payload) : '';
    proc.out(`reply from ${formatIpv4(d.src)}:${d.srcPort} b'${text}'\n`);
    proc.exit(0);
  };
  const sent = sock.send('ping-from-host', { addr, port });
  if (!sent.ok) {
    proc.out(`NO REPLY: OSError ${sent.errno}\n`);
    proc.exit(0);
    return;
  }
  proc.after(2e9, () => {
    proc.out('NO REPLY: timeout timed out\n');
    proc.exit(0);
  });
}

/** The default services plus `nsenter` and `timeout`. */
export function goldenServices(): MachineServices {
  return {
    programs: () => {
      const registry = defaultServices.programs();
      registry.register('timeout', timeout(registry));
      registry.register('dnsstub', dnsstub);
      registry.register('udpecho', udpecho);
      registry.register('udpsend', udpsend);
      return registry;
    },
    startDocker: (host, registry) => {
      const engine = defaultServices.startDocker(host, registry);
      registry.register('nsenter', nsenter(registry, () => engine));
      return engine;
    },
  };
}
