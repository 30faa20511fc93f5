import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { seed } from '../helpers/seed.js';

t.test('one guess budget per client address across /v1/track and /track, IPv6 counted per /64', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const { items } = await seed(api.app.db, { items: [{ unitId: ward.id }] });
  const reference = items[0]!.reference;
  const json = (remoteAddress: string, ref = 'AAAA-AAAA') =>
    api.app.inject({ method: 'GET', url: `/v1/track/${ref}`, remoteAddress });
  const page = (remoteAddress: string, ref = 'AAAA-AAAA') =>
    api.app.inject({ method: 'GET', url: `/track/${ref}`, remoteAddress });

  // Half the budget on each route: together they spend all 30 guesses.
  for (let i = 0; i < 15; i++) {
    if ((await json('198.51.100.20')).statusCode !== 404) t.fail('JSON guess refused early');
    if ((await page('198.51.100.20')).statusCode !== 404) t.fail('page guess refused early');
  }
  const spentJson = await json('198.51.100.20', reference);
  t.equal(spentJson.statusCode, 429, 'the JSON route is refused once the shared budget is spent');
  t.match(spentJson.headers['content-type'], /^application\/problem\+json/);
  t.ok(Number(spentJson.headers['retry-after']) > 0, 'with Retry-After');
  t.equal((await page('198.51.100.20', reference)).statusCode, 429, 'and so is the page');
  t.equal((await page('198.51.100.21', reference)).statusCode, 200, 'another address is unaffected');

  // Every address of one /64 shares a budget: rotating through it gains no guesses.
  for (let i = 0; i < 30; i++) {
    const address = `2001:db8:aa:bb:${(i + 1).toString(16)}::${(i * 7 + 1).toString(16)}`;
    if ((await (i % 2 ? page : json)(address)).statusCode !== 404) t.fail(`guess ${i + 1} refused early`);
  }
  t.equal((await json('2001:db8:aa:bb:ffff:ffff:ffff:ffff', reference)).statusCode, 429, 'the /64 is spent');
  t.equal((await json('2001:db8:aa:bc::1', reference)).statusCode, 200, 'the next /64 is another client');
});
