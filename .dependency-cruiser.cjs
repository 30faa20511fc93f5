// The import rules of docs/architecture.md, checked by `npm run deps` (part of `npm run check` and CI).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle means two files are one concern split in two, or one of them is in the wrong layer.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-between-modules',
      comment: 'Modules form layers (auth below units below api-keys, boards, feedback…): no two reach each other.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/modules/' },
      to: { path: '^src/modules/', circular: true },
    },
    {
      name: 'db-and-http-import-no-module',
      comment: 'src/db/ and src/http/ sit below every module: they serve modules and know none of them.',
      severity: 'error',
      from: { path: '^src/(db|http)/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'repositories-import-no-routes-or-services',
      comment: 'Repositories own SQL only; rules and HTTP sit above them.',
      severity: 'error',
      from: { path: '[.]repository[.]ts$' },
      to: { path: '[.](routes|pages|service|plugin)[.]ts$' },
    },
    {
      name: 'routes-and-pages-only-from-app',
      comment: 'Routes and pages are entry points: src/app.ts registers them, and no other file imports one.',
      severity: 'error',
      from: { pathNot: '^src/app[.]ts$' },
      to: { path: '^src/.+[.](routes|pages)[.]ts$' },
    },
    {
      name: 'modules-meet-through-services-repositories-and-schemas',
      comment:
        "A module reaches another only through its services, repositories, schemas and shared helpers, never its HTTP entry points.",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/[^/]+[.](routes|pages)[.]ts$', pathNot: '^src/modules/$1/' },
    },
    {
      name: 'src-imports-no-tests-or-tools',
      comment: 'The service runs without the test, bench and script trees.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts)/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a cycle through types still ties the two files together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
