import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { boardCacheFor } from '../../src/modules/boards/boards.cache.js';
import { boardCacheLimits } from '../../src/modules/boards/boards.http.js';
import { buildTestApp, createTree, testConfig } from '../helpers/app.js';
import { seed } from '../helpers/seed.js';

// A heap figure means something only after a full collection.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const heapUsed = () => {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

t.test('board page variants cannot grow the heap without bound', async (t) => {
  const config = testConfig({
    // Lifted so the flood below measures the cache, not the per-address limit.
    BOARD_RATE_LIMIT_PER_MINUTE: '1000000',
    BOARD_CACHE_MAX_ENTRIES: '50',
    BOARD_CACHE_MAX_MB: '1',
  });
  const api = await buildTestApp(t, { config });
  const { ward } = await createTree(api);
  const words = 'The garden is locked at weekends and we would like it open. '.repeat(8);
  await seed(api.app.db, {
    items: Array.from({ length: 20 }, (_, i) => ({ unitId: ward.id, youSaid: `${i} ${words}`, publishConsent: true })),
    actions: Array.from({ length: 20 }, (_, i) => ({
      unitId: ward.id,
      title: `Action ${i}`,
      status: 'completed' as const,
      outcome: `Outcome ${i} ${words}`,
      items: [i],
    })),
  });
  const cache = boardCacheFor(api.app.db, boardCacheLimits(config));
  const page = (query: string) => api.request({ method: 'GET', url: `/boards/${ward.code}?${query}`, key: null });

  await t.test('refresh is not a cache dimension, yet each page shows its own interval', async (t) => {
    cache.clear();
    for (let refresh = 5; refresh < 505; refresh++) {
      const response = await page(`refresh=${refresh}`);
      if (response.statusCode !== 200) t.fail(`refresh=${refresh}: ${response.statusCode}`);
    }
    t.equal(cache.size, 2, 'one built board and one rendered content for 500 refresh values');
    const response = await page('refresh=77');
    t.match(response.body, 'data-refresh="77"');
    t.match(response.body, 'updates itself every 77 seconds');
    t.match(response.body, 'Outcome 19');
    const other = await page('refresh=78');
    t.not(other.headers.etag, response.headers.etag, 'a page with another interval has its own ETag');
    const again = await page('refresh=77');
    t.equal(again.headers.etag, response.headers.etag, 'and the same page the same ETag');
    const notModified = await api.request({
      method: 'GET',
      url: `/boards/${ward.code}?refresh=77`,
      key: null,
      headers: { 'if-none-match': String(response.headers.etag) },
    });
    t.equal(notModified.statusCode, 304);
  });

  await t.test('thousands of distinct variants keep the cache and the heap within bounds', async (t) => {
    // Over a real socket, as a keyless client sends them: inject keeps per-request state of its own
    // that would swamp the heap figure (most on PGlite), while a listening server's heap stays flat.
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = api.app.server.address() as { port: number };
    const fetchPage = async (query: string) => {
      const response = await fetch(`http://127.0.0.1:${port}/boards/${ward.code}?${query}`);
      await response.text();
      return response.status;
    };
    cache.clear();
    const before = heapUsed();
    let sent = 0;
    let mostEntries = 0;
    let mostBytes = 0;
    for (let limit = 1; limit <= 50; limit++) {
      for (const easyRead of ['0', '1']) {
        for (const includeDescendants of ['true', 'false']) {
          for (const refresh of [5, 60, 600, 3600, 17, 1234, 3599, 42, 900, 301]) {
            const status = await fetchPage(
              `limit=${limit}&easyRead=${easyRead}&includeDescendants=${includeDescendants}&refresh=${refresh}`,
            );
            if (status !== 200) t.fail(`status ${status}`);
            sent++;
            mostEntries = Math.max(mostEntries, cache.size);
            mostBytes = Math.max(mostBytes, cache.bytes);
          }
        }
      }
    }
    t.equal(sent, 2_000);
    t.ok(mostEntries > 1 && mostEntries <= 50, `never more entries than BOARD_CACHE_MAX_ENTRIES (${mostEntries})`);
    t.ok(mostBytes > 0 && mostBytes <= 1024 * 1024, `never more bytes than BOARD_CACHE_MAX_MB (${mostBytes})`);
    const grown = heapUsed() - before;
    t.ok(grown < 16 * 1024 * 1024, `heap grew ${Math.round(grown / 1024)} KiB after ${sent} variants`);
    // The JSON board shares the same bounds.
    for (let limit = 1; limit <= 30; limit++) {
      for (const type of ['we_did', 'we_are_doing', 'we_couldnt']) {
        await api.request({ method: 'GET', url: `/v1/units/${ward.id}/board?limit=${limit}&type=${type}`, key: null });
      }
    }
    t.ok(cache.size <= 50 && cache.bytes <= 1024 * 1024, 'JSON variants are bounded too');
  });
});

t.test('a parent board with includeDescendants leaves out units whose board is off', async (t) => {
  const api = await buildTestApp(t);
  const { site, ward, otherWard } = await createTree(api);
  await seed(api.app.db, {
    items: [
      { unitId: ward.id, youSaid: 'Willow summary', publishConsent: true },
      { unitId: otherWard.id, youSaid: 'Ash summary', publishConsent: true },
    ],
    actions: [
      { unitId: ward.id, title: 'Willow action', status: 'completed', outcome: 'Willow outcome', items: [0] },
      { unitId: otherWard.id, title: 'Ash action', status: 'completed', outcome: 'Ash outcome', items: [1] },
    ],
  });
  const siteBoard = async () =>
    (await api.request({ method: 'GET', url: `/v1/units/${site.id}/board?includeDescendants=true`, key: null })).json();
  const before = await siteBoard();
  t.same(before.entries.map((e: { title: string }) => e.title).sort(), ['Ash action', 'Willow action']);
  t.equal(before.stats.received, 2);

  const off = await api.request({
    method: 'PATCH',
    url: `/v1/units/${otherWard.id}`,
    payload: { boardEnabled: false },
  });
  t.equal(off.statusCode, 200);
  const after = await siteBoard();
  t.same(
    after.entries.map((e: { title: string }) => e.title),
    ['Willow action'],
    'the switched-off ward shows nowhere',
  );
  t.equal(after.stats.received, 1, 'nor in the figures');
  const page = await api.request({ method: 'GET', url: `/boards/${site.code}?includeDescendants=true`, key: null });
  t.notMatch(page.body, 'Ash outcome', 'nor on the parent’s page');

  await api.request({ method: 'PATCH', url: `/v1/units/${otherWard.id}`, payload: { boardEnabled: true } });
  t.equal((await siteBoard()).entries.length, 2, 'switched back on, it shows again');
});

t.test('board codes in /boards/{unitCode} are matched regardless of case', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const exact = await api.request({ method: 'GET', url: `/boards/${ward.code}`, key: null });
  t.equal(exact.statusCode, 200);
  for (const typed of [ward.code.toLowerCase(), 't-WiLLoW']) {
    const response = await api.request({ method: 'GET', url: `/boards/${typed}`, key: null });
    t.equal(response.statusCode, 200, `${typed} finds ${ward.code}`);
    t.match(response.body, 'Willow Ward');
  }
  // Codes are unique as written: where two differ only in case, the exact one wins.
  const lower = await api.createUnit({ type: 'ward', code: 't-willow', name: 'Lower Willow', parentId: ward.parentId });
  const exactLower = await api.request({ method: 'GET', url: `/boards/${lower.code}`, key: null });
  t.match(exactLower.body, 'Lower Willow');
  const exactUpper = await api.request({ method: 'GET', url: `/boards/${ward.code}`, key: null });
  t.match(exactUpper.body, 'Willow Ward');
  t.notMatch(exactUpper.body, 'Lower Willow');
  const unknown = await api.request({ method: 'GET', url: '/boards/no-such-ward', key: null });
  t.equal(unknown.statusCode, 404);
});
