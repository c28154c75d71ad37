// Names a docker: step creates, read from its words the way the docker CLI's option parser would.
import { describe, expect, it } from 'vitest';
import { dockerDeclaration, splitWords } from '../../src/scenario/index.js';

function declared(command: string): ReturnType<typeof dockerDeclaration> {
  const split = splitWords(command);
  if (!split.ok) throw new Error(split.message);
  return dockerDeclaration(split.words);
}

describe('dockerDeclaration', () => {
  it.each([
    ['run -d --name c1 --network brnet busybox', { container: 'c1' }],
    ['run --name=c1 busybox', { container: 'c1' }],
    ['container run -it --rm --name c1 alpine sh', { container: 'c1' }],
    ['create --name /c1 busybox', { container: 'c1' }],
    ['run -dp 8080:80 --name web nginx', { container: 'web' }],
    ['run -p8080:80 -e X=1 -v /a:/b --name web nginx', { container: 'web' }],
    ['run --name a --name b busybox', { container: 'b' }],
    ['run busybox echo --name nope', {}],
    ["run -e '--name=nope' busybox", {}],
    ['run -d busybox', {}],
    ['-H unix:///x.sock run --name c1 busybox', { container: 'c1' }],
    ['network create --subnet 192.168.57.0/24 brnet', { network: 'brnet' }],
    ['network create -d macvlan -o parent=eth0 --internal mv', { network: 'mv' }],
    ['network create --ipv6=false n6', { network: 'n6' }],
    ['network ls', {}],
    ['service create --name web --replicas 3 -p 8080:80 nginx', { service: 'web' }],
    ['ps -a', {}],
    ['', {}],
  ])('%j', (command, expected) => {
    expect(declared(command)).toEqual(expected);
  });
});
