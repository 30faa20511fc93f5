import { createConfig, lintFromString } from '@redocly/openapi-core';
import t from 'tap';
import { buildTestApp, testConfig } from '../helpers/app.js';

// The served document, linted with Redocly's `recommended` ruleset as a client generator or a
// portal would read it: no errors; warnings are listed in the output for a person to weigh.

t.test('the served OpenAPI document passes Redocly’s recommended ruleset', async (t) => {
  const api = await buildTestApp(t);
  const served = await api.request({ method: 'GET', url: '/openapi.json', key: null });
  const problems = await lintFromString({
    source: served.body,
    absoluteRef: 'openapi.json',
    config: await createConfig({ extends: ['recommended'] }),
  });
  const said = (problem: (typeof problems)[number]) =>
    `${problem.ruleId}: ${problem.message} (${problem.location.map((where) => where.pointer).join(', ')})`;
  const warnings = problems.filter((problem) => problem.severity === 'warn');
  if (warnings.length > 0) t.comment(`${warnings.length} warnings:\n${warnings.map(said).join('\n')}`);
  t.same(problems.filter((problem) => problem.severity === 'error').map(said), [], 'no errors');
});

t.test('the document names its server: PUBLIC_BASE_URL, else the one serving it', async (t) => {
  const servers = async (env: Record<string, string>) => {
    const api = await buildTestApp(t, { config: testConfig(env) });
    return (await api.request({ method: 'GET', url: '/openapi.json', key: null })).json().servers;
  };
  t.same(await servers({ PUBLIC_BASE_URL: 'https://wedid.example.nhs.uk/' }), [
    { url: 'https://wedid.example.nhs.uk' },
  ]);
  t.same(await servers({}), [{ url: '/' }], 'unset: `/`, as in the committed openapi/openapi.json');
});

t.test('the home pages once had a trailing slash: links to it lead on to the documented path', async (t) => {
  const api = await buildTestApp(t);
  for (const home of ['/console', '/review']) {
    const old = await api.request({ method: 'GET', url: `${home}/?easyRead=1`, key: null });
    t.equal(old.statusCode, 308, `${home}/`);
    t.equal(old.headers.location, `${home}?easyRead=1`, 'with its query');
  }
});
