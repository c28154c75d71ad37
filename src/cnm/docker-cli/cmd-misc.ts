/**
 * `docker images` (`docker image ls`) and `docker version`.
 *
 * Models: docker/cli 20.10 `cli/command/image/list.go` with `formatter/image.go` (`table
 * {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}`, one row per tag, ids cut to
 * 12 characters) and `cli/command/system/version.go` (the reference host's 20.10.24 client and
 * server, API 1.41).
 * Leaves out: image sizes and creation times (every catalogue image shows a fixed size and
 * "2 weeks ago"), `--digests`, dangling filters.
 */
import { shortId } from '../../engine/index.js';
import type { Cli, CommandSpec } from './cli.js';
import { formatList } from './formatter.js';

const SIZES: Readonly<Record<string, string>> = { busybox: '4.26MB', alpine: '7.38MB', nginx: '187MB', httpd: '167MB', redis: '138MB', consul: '155MB', python: '1.02GB', node: '1.1GB' };

function runImages(cli: Cli, args: string[], f: { bool(n: string): boolean; string(n: string): string }): void {
  const repo = args[0];
  const rows = cli.daemon.ctx.images
    .all()
    .flatMap(img => img.tags.map(tag => ({ img, tag })))
    .filter(({ img, tag }) => repo === undefined || repo === img.repo || repo === `${img.repo}:${tag}`)
    .map(({ img, tag }) => ({
      Repository: img.repo,
      Tag: tag,
      ID: f.bool('no-trunc') ? img.id : shortId(img.id),
      CreatedSince: img.tags.includes('local') ? '3 minutes ago' : '2 weeks ago',
      Size: SIZES[img.repo] ?? '10MB',
    }));
  const format = f.bool('quiet') ? '{{.ID}}' : f.string('format') === '' ? 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}' : f.string('format');
  const out = formatList(format, rows, { Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', CreatedSince: 'CREATED', Size: 'SIZE' });
  if (!out.ok) return cli.fail(out.error);
  cli.out(out.value);
  cli.exit(0);
}

export const IMAGES_COMMAND: CommandSpec = {
  name: 'images',
  use: 'images [OPTIONS] [REPOSITORY[:TAG]]',
  short: 'List images',
  flags: [
    { name: 'all', short: 'a', kind: 'bool' },
    { name: 'quiet', short: 'q', kind: 'bool' },
    { name: 'no-trunc', kind: 'bool' },
    { name: 'digests', kind: 'bool' },
    { name: 'format', kind: 'string' },
    { name: 'filter', short: 'f', kind: 'list' },
  ],
  args: { kind: 'range', min: 0, max: 1 },
  run: runImages,
};

const VERSION = `Client:
 Version:           20.10.24+dfsg1
 API version:       1.41
 Go version:        go1.19.8
 Git commit:        297e128
 Built:             Thu May 18 08:38:34 2023
 OS/Arch:           linux/amd64
 Context:           default
 Experimental:      true

Server:
 Engine:
  Version:          20.10.24+dfsg1
  API version:      1.41 (minimum version 1.12)
  Go version:       go1.19.8
  Git commit:       5d6db84
  Built:            Thu May 18 08:38:34 2023
  OS/Arch:          linux/amd64
  Experimental:     false
 containerd:
  Version:          1.6.20~ds1
  GitCommit:        1.6.20~ds1-1+deb12u3
 runc:
  Version:          1.1.5+ds1
  GitCommit:        1.1.5+ds1-1+deb12u1
 docker-init:
  Version:          0.19.0
  GitCommit:        
`;

export const VERSION_COMMAND: CommandSpec = {
  name: 'version',
  use: 'version [OPTIONS]',
  short: 'Show the Docker version information',
  flags: [{ name: 'format', short: 'f', kind: 'string' }],
  args: { kind: 'none' },
  run: cli => {
    cli.out(VERSION);
    cli.exit(0);
  },
};
