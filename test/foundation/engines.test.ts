import { readFileSync } from 'node:fs';
import semver from 'semver';
import t from 'tap';

interface LockedPackage {
  version?: string;
  dev?: boolean;
  engines?: { node?: string };
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockedPackage> };

// The oldest release of each line we say we support: if every production package accepts these,
// `npm ci --omit=dev` installs cleanly (no EBADENGINE) on each of them.
const supportedLines = ['20.19.0', '22.12.0', '24.0.0'];

t.test('package.json engines names exactly the supported Node lines', async (t) => {
  for (const version of supportedLines) t.ok(semver.satisfies(version, manifest.engines.node), version);
  for (const version of ['18.20.0', '21.7.0', '23.0.0'])
    t.notOk(semver.satisfies(version, manifest.engines.node), version);
});

t.test('every production dependency runs on every supported Node line', async (t) => {
  const production = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && !entry.dev);
  t.ok(production.length > 50, 'the lock file lists the production tree');
  for (const version of supportedLines) {
    const refusing = production
      .filter(([, entry]) => entry.engines?.node && !semver.satisfies(version, entry.engines.node))
      .map(([path, entry]) => `${path.replace(/^.*node_modules\//, '')}@${entry.version} wants ${entry.engines?.node}`);
    t.same(refusing, [], `Node ${version}`);
  }
});
