// The layer table of design.md section 2, enforced: each layer imports only layers below it,
// no cycles, and another module is entered only through its index.ts.
const order = ['engine', 'packet', 'kernel', 'cnm', 'swarm', 'scenario', 'cli'];
const allowed = {
  engine: [],
  packet: [],
  kernel: ['engine', 'packet'],
  cnm: ['kernel', 'packet', 'engine'],
  swarm: ['cnm', 'kernel', 'packet', 'engine'],
  scenario: ['swarm', 'cnm', 'kernel', 'packet', 'engine'],
  cli: ['scenario', 'swarm', 'cnm', 'kernel', 'packet', 'engine'],
};
const forbidden = order.map((layer) => ({
  name: `layer-${layer}`,
  comment: `src/${layer} may import only: ${allowed[layer].join(', ') || 'nothing'} (design.md section 2)`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: {
    path: `^src/(${order.filter((l) => l !== layer && !allowed[layer].includes(l)).join('|')})/`,
  },
}));
forbidden.push(
  {
    name: 'no-cycles',
    comment: 'no import cycles between files',
    severity: 'error',
    from: {},
    to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
  },
  {
    name: 'front-door-only',
    comment: 'another module is imported only through its index.ts',
    severity: 'error',
    from: { path: '^src/([^/]+)/' },
    to: { path: '^src/([^/]+)/.+', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
  },
);
module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
