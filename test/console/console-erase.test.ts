import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { consoleSession, csrfOf } from '../helpers/console.js';
import { recordFeedback } from '../helpers/fixtures.js';

t.test('erasing from the item page: admins only, with the box ticked, audited', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const item = await recordFeedback(api, ward.id, {
    text: 'ERASE-ME my neighbour in bed 4 was rude',
    contact: { name: 'Robin Private', email: 'robin@example.org', wantsReply: false },
  });
  const url = `/console/feedback/${item.id}`;
  const fromApi = async () =>
    (await api.request({ method: 'GET', url: `/v1/feedback/${item.id}?include=text` })).json();

  await t.test('staff see no erase form, and a POST is refused', async (t) => {
    const staff = await consoleSession(api, 'willow@trust.nhs.uk', 'staff', ward.id);
    const page = await staff.get(url);
    t.equal(page.statusCode, 200);
    t.notMatch(page.body, `action="${url}/erase"`);
    const refused = await staff.post(`${url}/erase`, {
      _csrf: csrfOf(page.body),
      version: String(item.version),
      confirm: 'yes',
    });
    t.equal(refused.statusCode, 403);
    t.match(refused.body, 'Only an admin may erase an item');
    t.equal((await fromApi()).erased, false, 'nothing erased');
  });

  const admin = await consoleSession(api, 'admin@trust.nhs.uk', 'admin');
  const page = await admin.get(url);
  t.match(page.body, `action="${url}/erase"`, 'an admin sees the form');
  t.match(page.body, 'Erasing removes, for good: what they said, their contact details');
  const csrf = csrfOf(page.body);

  await t.test('without the box ticked: the error summary, and nothing erased', async (t) => {
    const unticked = await admin.post(`${url}/erase`, { _csrf: csrf, version: String(item.version) });
    t.equal(unticked.statusCode, 400);
    t.match(unticked.body, /There is a problem/);
    t.match(unticked.body, /<a href="#confirm">Tick the box to confirm/);
    t.match(unticked.body, 'aria-describedby="confirm-error"');
    t.equal((await fromApi()).erased, false);
    t.match((await fromApi()).text, 'ERASE-ME');
  });

  await t.test('ticked: erased, the page says so, the API agrees, audited as the person', async (t) => {
    const erased = await admin.post(`${url}/erase`, { _csrf: csrf, version: String(item.version), confirm: 'yes' });
    t.equal(erased.statusCode, 303, erased.body);
    t.equal(erased.headers.location, url);
    const after = await admin.get(url);
    t.match(after.body, '<blockquote>Erased</blockquote>');
    t.match(after.body, 'Erased: the personal data of this item is gone.');
    t.notMatch(after.body, 'ERASE-ME');
    t.notMatch(after.body, 'Robin Private');
    const now = await fromApi();
    t.equal(now.erased, true);
    t.equal(now.text, null);
    t.equal(now.contact, null);
    const [audit] = await api.sql<{ actor_name: string }>(
      sql`select actor_name from audit_events where entity_id = ${item.id} and action = 'erased'`,
    );
    t.match(audit?.actor_name, /admin@trust\.nhs\.uk.*session of person/);
  });
});
