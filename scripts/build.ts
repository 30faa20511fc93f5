import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

/**
 * `npm run build`, once tsc has checked the types: src/server.ts and the service's own modules as
 * one file, dist/server.js, rather than about 220 files, each of which Node's ES module loader
 * resolves, reads and compiles on every start. Packages stay in node_modules and load as before
 * (those loaded on first use still are). Each database driver's module (db/postgres.ts,
 * db/pglite.ts) is a chunk of its own, loaded only by the deployment that uses it. The source map
 * (names and lines, without the sources) lets `node --enable-source-maps`, as `npm start` runs,
 * point stack traces at src/.
 */
await rm('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/server.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  packages: 'external',
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
});
