/**
 * The `ipvsadm` command: parse (ipvsadm-args.ts), call the namespace's IPVS control plane
 * (state.ts), print listings (ipvsadm-list.ts) and errors as ipvsadm 1.31 does.
 *
 * Models: ipvsadm.c `main` (no arguments lists the table; the first use loads IPVS in the
 * namespace), `process_options` (commands dispatched to libipvs; a kernel error prints
 * `ipvs_strerror(errno)` and the command returns -1, so the exit status is 255), `restore_table`
 * (`-R`: one command per stdin line; a usage error stops with its status), `usage_exit`,
 * `version`; libipvs.c `ipvs_strerror` (messages per operation and errno, else strerror).
 * Exit statuses: 0 success; 2 usage errors (`fail(2, ...)`); 1 when a listing cannot find its
 * service; 255 for kernel errors and popt errors (`return -1`, `tryhelp_exit(-1)`).
 * Leaves out: `--start-daemon`/`--stop-daemon` (unknown options here), host name resolution.
 */
import type { NetNamespace } from '../netns.js';
import { IpvsadmExit, parseIpvsadm, type IpvsadmEntry } from './ipvsadm-args.js';
import { IPVS_VERSION, listAll, listConnections, listService, listTimeout, type ListFormat } from './ipvsadm-list.js';
import { ipvsOf } from './module.js';
import type { IpvsErrno, IpvsResult, IpvsState } from './state.js';

export interface IpvsadmResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const IPVSADM_VERSION = 'v1.31 2019/12/24';

type Op = 'add-service' | 'edit-service' | 'delete-service' | 'zero' | 'add-server' | 'edit-server' | 'delete-server' | 'get-service';

/** `ipvs_strerror`: the per-operation table first, then the generic one, then strerror(3). */
const PER_OP: Readonly<Partial<Record<Op, Partial<Record<IpvsErrno, string>>>>> = {
  'add-service': { EEXIST: 'Service already exists', ENOENT: 'Scheduler or persistence engine not found' },
  'edit-service': { ESRCH: 'No such service', ENOENT: 'Scheduler or persistence engine not found' },
  'delete-service': { ESRCH: 'No such service' },
  zero: { ESRCH: 'No such service' },
  'add-server': { ESRCH: 'Service not defined', EEXIST: 'Destination already exists' },
  'edit-server': { ESRCH: 'Service not defined', ENOENT: 'No such destination' },
  'delete-server': { ESRCH: 'Service not defined', ENOENT: 'No such destination' },
  'get-service': { ESRCH: 'No such service' },
};

const GENERIC: Readonly<Record<IpvsErrno, string>> = {
  EINVAL: 'Invalid operation.  Possibly wrong module version, address not unicast, ...',
  ERANGE: 'Numerical result out of range',
  ESRCH: 'No such process',
  ENOENT: 'No such file or directory',
  EEXIST: 'File exists',
};

export function ipvsStrerror(op: Op, errno: IpvsErrno): string {
  return PER_OP[op]?.[errno] ?? GENERIC[errno];
}

function version(): string {
  return `ipvsadm ${IPVSADM_VERSION} (compiled with popt and IPVS v${IPVS_VERSION})\n`;
}

function usage(program: string): string {
  const p = program;
  return (
    version() +
    'Usage:\n' +
    `  ${p} -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]\n` +
    `  ${p} -D virtual-service\n` +
    `  ${p} -C\n` +
    `  ${p} -R\n` +
    `  ${p} -S [-n]\n` +
    `  ${p} -a|e virtual-service -r server-address [options]\n` +
    `  ${p} -d virtual-service -r server-address\n` +
    `  ${p} -L|l [virtual-service] [options]\n` +
    `  ${p} -Z [virtual-service]\n` +
    `  ${p} --set tcp tcpfin udp\n` +
    `  ${p} -h\n\n` +
    'Commands:\n' +
    'Either long or short options are allowed.\n' +
    '  --add-service     -A        add virtual service with options\n' +
    '  --edit-service    -E        edit virtual service with options\n' +
    '  --delete-service  -D        delete virtual service\n' +
    '  --clear           -C        clear the whole table\n' +
    '  --restore         -R        restore rules from stdin\n' +
    '  --save            -S        save rules to stdout\n' +
    '  --add-server      -a        add real server with options\n' +
    '  --edit-server     -e        edit real server with options\n' +
    '  --delete-server   -d        delete real server\n' +
    '  --list            -L|-l     list the table\n' +
    '  --zero            -Z        zero counters in a service or all services\n' +
    '  --set tcp tcpfin udp        set connection timeout values\n' +
    '  --help            -h        display this help message\n\n' +
    'virtual-service:\n' +
    '  --tcp-service|-t  service-address   service-address is host[:port]\n' +
    '  --udp-service|-u  service-address   service-address is host[:port]\n' +
    '  --fwmark-service|-f  fwmark         fwmark is an integer greater than zero\n\n' +
    'Options:\n' +
    '  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh,\n' +
    '                                      the default scheduler is wlc.\n' +
    '  --persistent   -p [timeout]         persistent service\n' +
    '  --netmask      -M netmask           persistent granularity mask\n' +
    '  --real-server  -r server-address    server-address is host (and port)\n' +
    '  --gatewaying   -g                   gatewaying (direct routing) (default)\n' +
    '  --ipip         -i                   ipip encapsulation (tunneling)\n' +
    '  --masquerading -m                   masquerading (NAT)\n' +
    '  --weight       -w weight            capacity of real server\n' +
    '  --u-threshold  -x uthreshold        upper threshold of connections\n' +
    '  --l-threshold  -y lthreshold        lower threshold of connections\n' +
    '  --connection   -c                   output of current IPVS connections\n' +
    '  --timeout                           output of timeout (tcp tcpfin udp)\n' +
    '  --stats                             output of statistics information\n' +
    '  --rate                              output of rate information\n' +
    '  --exact                             expand numbers (display exact values)\n' +
    '  --thresholds                        output of thresholds information\n' +
    '  --persistent-conn                   output of persistent connection info\n' +
    '  --nosort                            disable sorting output of service/server entries\n' +
    '  --sort                              does nothing, for backwards compatibility\n' +
    '  --ops          -o                   one-packet scheduling\n' +
    '  --numeric      -n                   numeric output of addresses and ports\n' +
    '  --sched-flags  -b flags             scheduler flags (comma-separated)\n'
  );
}

const done = (stdout = ''): IpvsadmResult => ({ exitCode: 0, stdout, stderr: '' });

function kernel<T>(op: Op, r: IpvsResult<T>): IpvsadmResult {
  if (r.ok) return done();
  return { exitCode: 255, stdout: '', stderr: `${ipvsStrerror(op, r.errno)}\n` };
}

function format(e: IpvsadmEntry): ListFormat {
  return { ...e.format };
}

/** One command line (`process_options`). */
function processOptions(ipvs: IpvsState, argv: readonly string[], stdin: string, readingStdin: boolean): IpvsadmResult {
  const program = argv[0] ?? 'ipvsadm';
  let e: IpvsadmEntry;
  try {
    e = parseIpvsadm(argv);
  } catch (err) {
    if (err instanceof IpvsadmExit) return { exitCode: err.code, stdout: '', stderr: err.stderr };
    throw err;
  }
  const svcKey = { fwmark: e.svc.fwmark, protocol: e.svc.protocol, addr: e.svc.addr, port: e.svc.port };
  const svcSpec = { ...svcKey, schedName: e.svc.schedName, flags: e.svc.flags, timeout: e.svc.timeout, netmask: e.svc.netmask };
  const destSpec = { ...e.dest };
  switch (e.cmd) {
    case 'help':
      return done(usage(program));
    case 'version':
      return done(version());
    case 'list': {
      const f = format(e);
      if (e.options.has('connection')) return done(listConnections(ipvs, f));
      if (e.options.has('service-address')) {
        const svc = ipvs.service(svcKey);
        if (svc === undefined) return { exitCode: 1, stdout: '', stderr: `${ipvsStrerror('get-service', 'ESRCH')}\n` };
        return done(listService(ipvs, svc, f));
      }
      if (e.options.has('timeout')) return done(listTimeout(ipvs));
      return done(listAll(ipvs, f));
    }
    case 'save':
      return done(listAll(ipvs, { ...format(e), rule: true }));
    case 'restore':
      if (readingStdin) return { exitCode: 255, stdout: '', stderr: `Try \`${program} -h' or '${program} --help' for more information.\n` };
      return restore(ipvs, program, stdin);
    case 'flush':
      ipvs.flush();
      return done();
    case 'add-service':
      return kernel('add-service', ipvs.addService(svcSpec));
    case 'edit-service':
      return kernel('edit-service', ipvs.editService(svcSpec));
    case 'delete-service':
      return kernel('delete-service', ipvs.delService(svcKey));
    case 'zero':
      return kernel('zero', ipvs.zero(e.options.has('service-address') ? svcKey : undefined));
    case 'add-server':
      return kernel('add-server', ipvs.addDest(svcKey, destSpec));
    case 'edit-server':
      return kernel('edit-server', ipvs.editDest(svcKey, destSpec));
    case 'delete-server':
      return kernel('delete-server', ipvs.delDest(svcKey, e.dest.addr, e.dest.port));
    case 'set':
      ipvs.timeouts.set(e.timeouts.tcp, e.timeouts.tcpFin, e.timeouts.udp);
      return done();
  }
}

/** `restore_table`: each non-empty stdin line is a command; `fail()` ends the program. */
function restore(ipvs: IpvsState, program: string, stdin: string): IpvsadmResult {
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  for (const line of stdin.split('\n')) {
    const words = line.split(/\s+/).filter(w => w !== '');
    if (words.length === 0) continue;
    const r = processOptions(ipvs, [program, ...words], '', true);
    stdout += r.stdout;
    stderr += r.stderr;
    exitCode = r.exitCode;
    if (exitCode !== 0 && exitCode !== 255) break;
  }
  return { exitCode, stdout, stderr };
}

/** `ipvsadm ARGS...` in `ns` (`argv[0]` is the program name). */
export function runIpvsadm(ns: NetNamespace, argv: readonly string[], stdin = ''): IpvsadmResult {
  const ipvs = ipvsOf(ns);
  if (argv.length <= 1) return done(listAll(ipvs, { numeric: false }));
  return processOptions(ipvs, argv, stdin, false);
}
