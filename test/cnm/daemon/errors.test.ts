// Error texts and exit codes as Docker 20.10 prints them: the CLI's own checks (flag grammar,
// argument counts, option parsing: exit 125 for run/create, 1 otherwise), daemon errors
// (`Error response from daemon: ...`, `docker: ...` plus `See 'docker run --help'.` for run),
// the client's 404 wrapping (`Error: No such container: x`) and libnetwork-facts section 10.
import { describe, expect, it } from 'vitest';
import { lab, shape, type Lab } from './support.js';

function check(l: Lab, command: string, output: string, exit: number): void {
  const r = l.docker(command);
  expect(shape(r.stdout + r.stderr), command).toBe(output);
  expect(r.exitCode, command).toBe(exit);
}

describe('docker network errors', () => {
  it('answers create, rm and inspect failures with the daemon and CLI texts', () => {
    const l = lab();
    expect(l.docker('network create --subnet 192.168.57.0/24 net57').exitCode).toBe(0);
    check(l, 'network create --subnet 192.168.57.128/25 clash', 'Error response from daemon: Pool overlaps with other one on this address space\n', 1);
    check(l, 'network create net57', 'Error response from daemon: network with name net57 already exists\n', 1);
    check(l, 'network create bridge', 'Error response from daemon: operation is not permitted on predefined bridge network \n', 1);
    check(l, 'network create -d overlay ov', 'Error response from daemon: This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.\n', 1);
    check(l, 'network create -d nosuch x1', 'Error response from daemon: plugin "nosuch" not found\n', 1);
    check(l, 'network create --subnet 10.0.0/24 bad', 'Error response from daemon: Invalid subnet 10.0.0/24 : invalid CIDR address: 10.0.0/24\n', 1);
    check(l, 'network create --gateway 10.1.0.1 nogw', 'every ip-range or gateway must have a corresponding subnet\n', 1);
    check(l, 'network create --subnet 10.2.0.0/24 --gateway 10.3.0.1 gw', 'no matching subnet for gateway 10.3.0.1\n', 1);
    check(l, 'network create --subnet 10.4.0.0/24 --aux-address a=10.5.0.1 aux', 'no matching subnet for aux-address 10.5.0.1\n', 1);
    check(l, 'network create --subnet 10.6.0.0/24 --subnet 10.6.0.0/25 two', 'multiple overlapping subnet configuration is not supported\n', 1);
    check(l, 'network create --subnet 10.7.0.0/24 --gateway 10.7.1.1 --subnet 10.7.1.0/24 --gateway 10.7.1.2 gg', 'cannot configure multiple gateways (10.7.1.2, 10.7.1.1) for the same subnet (10.7.1.0/24)\n', 1);
    check(l, 'network create --subnet 10.8.0.0/24 --gateway 10.8.1.1 gwout', 'no matching subnet for gateway 10.8.1.1\n', 1);
    check(l, 'network rm bridge', 'Error response from daemon: bridge is a pre-defined network and cannot be removed\n', 1);
    check(l, 'network rm nosuch', 'Error: No such network: nosuch\n', 1);
    check(l, 'network inspect nosuch', '[]\nError: No such network: nosuch\n', 1);
    expect(l.docker('run -d --name c1 --network net57 busybox sleep 100').exitCode).toBe(0);
    check(l, 'network rm net57', 'Error response from daemon: error while removing network: network net57 id <id64> has active endpoints\n', 1);
  });

  it('answers connect and disconnect failures', () => {
    const l = lab();
    l.docker('network create net57');
    l.docker('run -d --name c1 busybox sleep 100');
    check(l, 'network connect net57 nosuch', 'Error response from daemon: No such container: nosuch\n', 1);
    check(l, 'network connect nosuch c1', 'Error response from daemon: network nosuch not found\n', 1);
    check(l, 'network connect net57 c1', '', 0);
    check(l, 'network connect net57 c1', 'Error response from daemon: endpoint with name c1 already exists in network net57\n', 1);
    check(l, 'network connect --alias x1 bridge c1', 'Error response from daemon: network-scoped alias is supported only for containers in user defined networks\n', 1);
    check(l, 'network connect --ip 172.17.0.50 bridge c1', 'Error response from daemon: user specified IP address is supported on user defined networks only\n', 1);
    check(l, 'network connect --ip 172.18.0.50 net57 c1', 'Error response from daemon: user specified IP address is supported only when connecting to networks with user configured subnets\n', 1);
    check(l, 'network connect host c1', 'Error response from daemon: container cannot be disconnected from host network or connected to host network\n', 1);
    check(l, 'network disconnect bridge nosuch', 'Error response from daemon: No such container: nosuch\n', 1);
    l.docker('network create other');
    check(l, 'network disconnect other c1', 'Error response from daemon: container <id64> is not connected to network other\n', 1);
  });
});

describe('docker run and create errors', () => {
  it('reports parse errors as `docker: <error>.` with the help hint, exit 125', () => {
    const l = lab();
    check(l, 'run --nosuch busybox', "unknown flag: --nosuch\nSee 'docker run --help'.\n", 125);
    check(l, 'run -p 99999:80 busybox', "docker: Invalid hostPort: 99999.\nSee 'docker run --help'.\n", 125);
    check(l, 'run -p 80:80/xyz busybox', "docker: Invalid proto: xyz.\nSee 'docker run --help'.\n", 125);
    check(l, 'run -p 1.2.3:80:80 busybox', "docker: Invalid ip address: 1.2.3.\nSee 'docker run --help'.\n", 125);
    check(l, 'run --dns notanip busybox', 'invalid argument "notanip" for "--dns" flag: notanip is not an ip address\nSee \'docker run --help\'.\n', 125);
    check(l, 'run --add-host foo busybox', 'invalid argument "foo" for "--add-host" flag: bad format for add-host: "foo"\nSee \'docker run --help\'.\n', 125);
    check(l, 'run --network-alias svc busybox', "docker: network-scoped aliases are only supported for user-defined networks.\nSee 'docker run --help'.\n", 125);
    check(l, 'run --rm --restart always busybox', "docker: Conflicting options: --restart and --rm.\nSee 'docker run --help'.\n", 125);
    check(l, 'run --network host --network mynet busybox', "docker: conflicting options: cannot attach both user-defined and non-user-defined network-modes.\nSee 'docker run --help'.\n", 125);
    check(l, 'run --mac-address nope busybox', "docker: nope is not a valid mac address.\nSee 'docker run --help'.\n", 125);
    check(l, 'run BusyBox', "docker: invalid reference format: repository name must be lowercase.\nSee 'docker run --help'.\n", 125);
    check(l, 'run', '"docker run" requires at least 1 argument.\nSee \'docker run --help\'.\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun a command in a new container\n', 1);
    check(l, 'run -it busybox', 'the input device is not a TTY\n', 1);
    check(l, 'run -d -a stdout busybox', 'Conflicting options: -a and -d\n', 1);
  });

  it('pulls nothing: unknown images and tags fail as Docker Hub answers', () => {
    const l = lab();
    check(l, 'run nosuch', "Unable to find image 'nosuch:latest' locally\ndocker: Error response from daemon: pull access denied for nosuch, repository does not exist or may require 'docker login': denied: requested access to the resource is denied.\nSee 'docker run --help'.\n", 125);
    check(l, 'run busybox:9.9', "Unable to find image 'busybox:9.9' locally\ndocker: Error response from daemon: manifest for busybox:9.9 not found: manifest unknown: manifest unknown.\nSee 'docker run --help'.\n", 125);
    check(l, 'create nosuch', "Unable to find image 'nosuch:latest' locally\nError response from daemon: pull access denied for nosuch, repository does not exist or may require 'docker login': denied: requested access to the resource is denied\n", 1);
    check(l, 'run busybox:local', "docker: Error response from daemon: No command specified.\nSee 'docker run --help'.\n", 125);
  });

  it('reports daemon create errors with the help hint and start errors without it', () => {
    const l = lab();
    l.docker('network create --subnet 192.168.57.0/24 net57');
    expect(l.docker('run -d --name c1 busybox sleep 100').exitCode).toBe(0);
    check(l, 'run -d --name c1 busybox sleep 100', "docker: Error response from daemon: Conflict. The container name \"/c1\" is already in use by container \"<id64>\". You have to remove (or rename) that container to be able to reuse that name.\nSee 'docker run --help'.\n", 125);
    check(l, 'run -d --name x busybox', "docker: Error response from daemon: Invalid container name (x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed.\nSee 'docker run --help'.\n", 125);
    check(l, 'run -d --network nosuch busybox sleep 100', '<id64>\ndocker: Error response from daemon: network nosuch not found.\n', 125);
    check(l, 'run -d --ip 172.17.0.9 busybox sleep 5', '<id64>\ndocker: Error response from daemon: user specified IP address is supported on user defined networks only.\n', 125);
    check(l, 'run --ip 172.17.0.9 --network net57 busybox sleep 1', "docker: Error response from daemon: Invalid address 172.17.0.9: It does not belong to any of this network's subnets.\n", 125);
    check(l, 'run -d --network net57 --ip 192.168.57.2 --name aa busybox sleep 100', '<id64>\n', 0);
    check(l, 'run -d --network net57 --ip 192.168.57.2 --name bb busybox sleep 100', '<id64>\ndocker: Error response from daemon: Address already in use.\n', 125);
    check(l, 'run busybox nosuchcmd', 'docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: unknown.\n', 127);
    check(l, 'run -d -p 8080:80 --name w1 nginx', '<id64>\n', 0);
    check(l, 'run -d -p 8080:80 --name w2 nginx', '<id64>\ndocker: Error response from daemon: driver failed programming external connectivity on endpoint w2 (<id64>): Bind for 0.0.0.0:8080 failed: port is already allocated.\n', 125);
  });

  it('leaves a container whose start failed in Created, with nothing attached', () => {
    const l = lab();
    l.docker('run -d --name ok1 busybox sleep 100');
    l.docker('run -d --name bad1 --ip 172.17.0.9 busybox sleep 100');
    expect(l.docker("inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.NetworkSettings.SandboxID}}|{{.NetworkSettings.Networks.bridge.IPAddress}}|' bad1").stdout).toBe('created 128 ||\n');
    expect(l.docker("network inspect -f '{{len .Containers}}' bridge").stdout).toBe('1\n');
    l.docker('run -d --name w1 -p 8080:80 nginx');
    l.docker('run -d --name w2 -p 8080:80 nginx');
    expect(l.docker("network inspect -f '{{len .Containers}}' bridge").stdout).toBe('2\n');
    // the failed attach released its address: the next container gets .4 (ok1 .2, w1 .3)
    l.docker('rm w2');
    l.docker('run -d --name ok2 busybox sleep 100');
    expect(l.docker("inspect -f '{{.NetworkSettings.IPAddress}}' ok2").stdout).toBe('172.17.0.4\n');
  });
});

describe('docker container command errors', () => {
  it('prints lookup, state and template errors as the client does', () => {
    const l = lab();
    l.docker('run -d --name c1 busybox sleep 100');
    check(l, 'rm c1', 'Error response from daemon: You cannot remove a running container <id64>. Stop the container before attempting removal or force remove\n', 1);
    check(l, 'rm nosuch', 'Error: No such container: nosuch\n', 1);
    check(l, 'stop nosuch', 'Error response from daemon: No such container: nosuch\n', 1);
    check(l, 'start nosuch', 'Error response from daemon: No such container: nosuch\nError: failed to start containers: nosuch\n', 1);
    check(l, 'exec nosuch ls', 'Error: No such container: nosuch\n', 1);
    check(l, 'exec c1 nosuchprog', 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchprog": executable file not found in $PATH: unknown\r\n', 126);
    check(l, 'inspect nosuch', '[]\nError: No such object: nosuch\n', 1);
    check(l, 'container inspect nosuch', '[]\nError: No such container: nosuch\n', 1);
    check(l, "inspect -f '{{.Foo}}' c1", 'Template parsing error: template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"\n', 1);
    check(l, "inspect -f '{{.Foo' c1", 'Template parsing error: template: :1: unclosed action\n', 64);
    check(l, 'port c1 80', "Error: No public port '80/tcp' published for c1\n", 1);
    check(l, 'logs nosuch', 'Error: No such container: nosuch\n', 1);
    check(l, 'kill nosuch', 'Error response from daemon: No such container: nosuch\n', 1);
    l.docker('create --name made busybox sleep 1');
    check(l, 'kill made', 'Error response from daemon: Cannot kill container: made: Container <id64> is not running\n', 1);
    check(l, 'exec made ls', 'Error response from daemon: Container <id64> is not running\n', 1);
  });

  it('handles unknown commands and flags like cobra', () => {
    const l = lab();
    check(l, 'foo', "docker: 'foo' is not a docker command.\nSee 'docker --help'\n", 1);
    check(l, 'network foo', '"docker network" accepts no arguments.\nSee \'docker network --help\'.\n\nUsage:  docker network COMMAND\n\nManage networks\n', 1);
    check(l, '--bogus ps', "unknown flag: --bogus\nSee 'docker --help'.\n", 125);
    check(l, 'ps --bogus', "unknown flag: --bogus\nSee 'docker ps --help'.\n", 125);
    check(l, 'network create -x y', "unknown shorthand flag: 'x' in -x\nSee 'docker network create --help'.\n", 125);
    check(l, 'network ls extra', '"docker network ls" accepts no arguments.\nSee \'docker network ls --help\'.\n\nUsage:  docker network ls [OPTIONS]\n\nList networks\n', 1);
    check(l, 'port', '"docker port" requires at least 1 and at most 2 arguments.\nSee \'docker port --help\'.\n\nUsage:  docker port CONTAINER [PRIVATE_PORT[/PROTO]]\n\nList port mappings or a specific mapping for the container\n', 1);
    check(l, 'stop -t x c1', 'invalid argument "x" for "-t, --time" flag: strconv.ParseInt: parsing "x": invalid syntax\nSee \'docker stop --help\'.\n', 125);
    check(l, 'container run', '"docker container run" requires at least 1 argument.\nSee \'docker container run --help\'.\n\nUsage:  docker container run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun a command in a new container\n', 1);
  });
});
