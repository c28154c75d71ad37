/**
 * The built-in image catalogue: what `docker run IMAGE` finds locally (a simulated host has no
 * registry to pull from).
 *
 * Models: the configs of the official images as `docker image inspect` shows them (Cmd,
 * Entrypoint, Env, ExposedPorts, WorkingDir, StopSignal), and the `busybox:local` image the
 * reference captures used (`docker import` of Debian's busybox-static: no Cmd, no Env, a
 * `/www/index.html` saying `hello from busybox httpd`, id `sha256:85f7750078...`).
 *
 *   image          default command                      what runs
 *   busybox        sh                                   exits at once without -i (-dit keeps it)
 *   busybox:local  (none: "No command specified")       whatever the command says
 *   alpine         /bin/sh                              as busybox
 *   nginx          /docker-entrypoint.sh nginx ...      HTTP on 80/tcp answering its hostname
 *   httpd          httpd-foreground                     HTTP on 80/tcp: "It works!"
 *   redis          docker-entrypoint.sh redis-server    RESP on 6379/tcp (PING -> +PONG)
 *   consul         docker-entrypoint.sh agent -dev ...  HTTP API on 8500/tcp
 *   python         python3                              REPL: exits without -i; -m http.server
 *   node           docker-entrypoint.sh node            REPL: exits without -i
 *
 * Leaves out: layers and sizes, image labels beyond a maintainer line, architectures.
 */
import { ImageCatalogue, imageId, type ImageSpec } from './image.js';

const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function image(spec: Omit<ImageSpec, 'id' | 'labels' | 'files' | 'binaries' | 'workingDir' | 'env' | 'entrypoint' | 'exposedPorts'> & Partial<ImageSpec>): ImageSpec {
  return {
    id: spec.id ?? imageId(`${spec.repo}:${spec.tags[0] ?? 'latest'}`),
    labels: {},
    files: {},
    binaries: [],
    workingDir: '',
    env: [PATH],
    entrypoint: null,
    exposedPorts: [],
    ...spec,
  };
}

export const BUILTIN_IMAGES: readonly ImageSpec[] = [
  image({
    repo: 'busybox',
    tags: ['latest', '1.36', '1.36.1'],
    cmd: ['sh'],
    binaries: ['sh', 'top'],
    description: 'busybox 1.36 applets; the default `sh` exits at once unless stdin is kept open (-i)',
  }),
  image({
    repo: 'busybox',
    tags: ['local'],
    id: 'sha256:85f7750078359be9238c0d98abf174b7206183f9022b7d96e0d6b0e2818a3b23',
    cmd: null,
    env: null,
    binaries: ['sh', 'top'],
    files: {
      '/www/index.html': 'hello from busybox httpd\n',
      '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
      '/etc/group': 'root:x:0:\n',
    },
    description: 'the reference captures\' imported busybox-static 1.35: no default command',
  }),
  image({
    repo: 'alpine',
    tags: ['latest', '3.19', '3'],
    cmd: ['/bin/sh'],
    binaries: ['sh', 'top'],
    description: 'Alpine 3.19 with busybox applets; the default `/bin/sh` exits at once unless -i',
  }),
  image({
    repo: 'nginx',
    tags: ['latest', '1.25', 'alpine'],
    entrypoint: ['/docker-entrypoint.sh'],
    cmd: ['nginx', '-g', 'daemon off;'],
    env: [PATH, 'NGINX_VERSION=1.25.3', 'NJS_VERSION=0.8.2', 'PKG_RELEASE=1~bookworm'],
    exposedPorts: ['80/tcp'],
    stopSignal: 'SIGQUIT',
    labels: { maintainer: 'NGINX Docker Maintainers <docker-maint@nginx.com>' },
    binaries: ['docker-entrypoint.sh', 'nginx', 'sh'],
    description: 'nginx 1.25 on 80/tcp answering every request with the container hostname',
  }),
  image({
    repo: 'httpd',
    tags: ['latest', '2.4'],
    cmd: ['httpd-foreground'],
    env: ['PATH=/usr/local/apache2/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HTTPD_PREFIX=/usr/local/apache2', 'HTTPD_VERSION=2.4.58'],
    exposedPorts: ['80/tcp'],
    workingDir: '/usr/local/apache2',
    stopSignal: 'SIGWINCH',
    files: { '/usr/local/apache2/htdocs/index.html': '<html><body><h1>It works!</h1></body></html>\n' },
    binaries: ['httpd-foreground', 'sh'],
    description: 'Apache httpd 2.4 on 80/tcp serving "It works!"',
  }),
  image({
    repo: 'redis',
    tags: ['latest', '7', '7.2'],
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['redis-server'],
    env: [PATH, 'REDIS_VERSION=7.2.3'],
    exposedPorts: ['6379/tcp'],
    workingDir: '/data',
    binaries: ['docker-entrypoint.sh', 'redis-server', 'redis-cli', 'sh'],
    description: 'redis 7.2 on 6379/tcp answering PING with +PONG',
  }),
  image({
    repo: 'consul',
    tags: ['latest', '1.15'],
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['agent', '-dev', '-client', '0.0.0.0'],
    env: [PATH, 'CONSUL_VERSION=1.15.4'],
    exposedPorts: ['8300/tcp', '8301/tcp', '8301/udp', '8302/tcp', '8302/udp', '8500/tcp', '8600/tcp', '8600/udp'],
    labels: { 'org.opencontainers.image.title': 'consul' },
    binaries: ['docker-entrypoint.sh', 'consul', 'sh'],
    description: 'consul 1.15 dev agent with its HTTP API on 8500/tcp',
  }),
  image({
    repo: 'python',
    tags: ['latest', '3.12', '3.12-slim', '3'],
    cmd: ['python3'],
    env: [PATH, 'LANG=C.UTF-8', 'PYTHON_VERSION=3.12.1'],
    binaries: ['python3', 'python', 'sh'],
    description: 'python 3.12: the REPL exits without -i; `python3 -m http.server [port]` serves HTTP',
  }),
  image({
    repo: 'node',
    tags: ['latest', '20', '20-alpine'],
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['node'],
    env: [PATH, 'NODE_VERSION=20.10.0', 'YARN_VERSION=1.22.19'],
    binaries: ['docker-entrypoint.sh', 'node', 'sh'],
    description: 'node 20: the REPL exits without -i',
  }),
];

/** The catalogue every daemon starts with. */
export function builtinCatalogue(): ImageCatalogue {
  return new ImageCatalogue(BUILTIN_IMAGES);
}
