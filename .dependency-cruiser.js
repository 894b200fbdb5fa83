// Architecture rules (see docs: modules/<m>/{domain,application,infrastructure,presentation}).
// Run by `npm run lint`; every rule but no-circular fails the build.

// Framework and infrastructure packages: the domain layer must not know them. The optional
// `@types/` and `__` forms catch type-only imports that resolve to DefinitelyTyped packages.
const INFRA_PACKAGES = [
  'koa',
  'koa-[^/]+',
  '@koa/[^/]+',
  'koa__[^/]+',
  'sequelize',
  'pg',
  'pg-[^/]+',
  'ioredis',
  'socket\\.io',
  'socket\\.io-[^/]+',
  '@socket\\.io/[^/]+',
  'typedi',
  'pino',
  'pino-[^/]+',
  'jsonwebtoken',
  'bcrypt',
  'nodemailer',
  'umzug',
  '@asteasolutions/zod-to-openapi',
];
const INFRA_PACKAGE_PATH = `(^|node_modules/)(@types/)?(${INFRA_PACKAGES.join('|')})(/|$)`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-no-framework-packages',
      severity: 'error',
      comment: 'The domain layer is plain TypeScript: no framework, database, cache or transport packages.',
      from: { path: '^src/modules/[^/]+/domain/' },
      to: { path: INFRA_PACKAGE_PATH },
    },
    {
      name: 'domain-no-outer-layers',
      severity: 'error',
      comment:
        'Domain code may import only src/core/{errors,utils,domain} and its own module domain ' +
        '(other modules only through their public files, see no-cross-module-internals).',
      from: { path: '^src/modules/([^/]+)/domain/' },
      to: {
        path: ['^src/core/', '^src/modules/[^/]+/(application|infrastructure|presentation)/', '^src/modules/$1/'],
        pathNot: ['^src/core/(errors|utils|domain)/', '^src/modules/$1/domain/'],
      },
    },
    {
      name: 'no-cross-module-internals',
      severity: 'error',
      comment:
        'A module reaches another module only through that module root <name>.public.ts or index.ts ' +
        '(tests also through its root <name>.test-support.ts) ' +
        '(src/modules/B/B.public.ts), never into its domain/application/infrastructure/presentation.',
      from: { path: '^src/modules/([^/]+)/' },
      to: {
        path: '^src/modules/[^/]+/',
        pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/([^/]+[.]public|index|[^/]+[.]test-support)[.]ts$'],
      },
    },
    {
      name: 'core-no-modules',
      severity: 'error',
      comment: 'src/core is shared by every module and must not depend on one; only bootstrap wires them in.',
      from: { path: '^src/core/', pathNot: '^src/core/bootstrap/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'application-no-adapters',
      severity: 'error',
      comment:
        'Use cases depend on ports (domain), not on adapters: no presentation/ or infrastructure/ ' +
        'of any module. Bind the adapter in <m>.module.ts instead.',
      from: { path: '^src/modules/[^/]+/application/' },
      to: { path: '^src/modules/[^/]+/(presentation|infrastructure)/' },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment:
        'Code that ships (src, migrations, tenants) must not need a devDependency: the image ' +
        'installs with --omit=dev. Move the package to dependencies.',
      from: { path: '^(src|migrations|tenants)/', pathNot: '[.]test[.]ts$' },
      to: {
        dependencyTypes: ['npm-dev'],
        dependencyTypesNot: ['type-only'],
        pathNot: ['node_modules/@types/'],
      },
    },
    {
      name: 'no-circular',
      severity: 'warn',
      comment: 'Part of an import cycle: invert the dependency through a port or an event.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    exclude: { path: ['^dist/', '^coverage/'] },
    // Keep type-only imports (`import type`) in the graph: the layer rules hold for types too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js', '.cjs', '.mjs', '.json'],
      mainFields: ['main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
