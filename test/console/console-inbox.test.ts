import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { consoleSession, csrfOf } from '../helpers/console.js';
import { recordFeedback } from '../helpers/fixtures.js';

/** The references of the cards of one section of the inbox, in page order. */
function referencesIn(body: string, sectionId: string): string[] {
  const start = body.indexOf(`<h2 id="${sectionId}">`);
  if (start < 0) return [];
  const end = body.indexOf('</section>', start);
  return [...body.slice(start, end).matchAll(/Feedback ([0-9A-Z]{4}-[0-9A-Z]{4})<\/a>/g)].map(
    (match) => match[1] as string,
  );
}

t.test('the inbox: the unit subtree only, flagged pinned, new next, marks, filters, search and paging', async (t) => {
  const api = await buildTestApp(t);
  const { site, ward, otherWard } = await createTree(api);
  const older = await recordFeedback(api, ward.id, { text: 'The night staff were kind to my dad' });
  const flagged = await recordFeedback(api, ward.id, { text: 'Noise on the ward at night' });
  t.equal(
    (
      await api.request({
        method: 'POST',
        url: `/v1/feedback/${flagged.id}/safeguarding`,
        payload: { status: 'flagged' },
      })
    ).statusCode,
    200,
  );
  const triaged = await recordFeedback(api, ward.id, { text: 'Parking is hard' });
  t.equal(
    (
      await api.request({
        method: 'PATCH',
        url: `/v1/feedback/${triaged.id}`,
        headers: { 'if-match': `"${triaged.version}"` },
        payload: { kind: 'complaint' },
      })
    ).statusCode,
    200,
  );
  const elsewhere = await recordFeedback(api, otherWard.id, { text: 'Ash ward words' });
  // An old item whose acknowledgement and answer are both overdue.
  await api.sql(
    sql`update feedback_items set received_at = now() - interval '60 days', due_at = now() - interval '30 days', acknowledge_by = now() - interval '55 days' where id = ${older.id}`,
  );

  const staff = await consoleSession(api, 'willow@trust.nhs.uk', 'staff', ward.id);
  const landing = await staff.get('/console');
  t.match(landing.body, /href="\/console\/inbox"/);
  const inbox = await staff.get('/console/inbox');
  t.equal(inbox.statusCode, 200);
  t.equal(inbox.headers['cache-control'], 'no-store');
  t.match(inbox.headers['content-security-policy'], /default-src 'none'/);
  t.same(referencesIn(inbox.body, 'pinned'), [flagged.reference], 'the flagged item is pinned at the top');
  t.same(referencesIn(inbox.body, 'new'), [flagged.reference, older.reference], 'then the new items, newest first');
  t.same(referencesIn(inbox.body, 'all'), [triaged.reference, flagged.reference, older.reference]);
  t.ok(inbox.body.indexOf('id="pinned"') < inbox.body.indexOf('id="new"'));
  t.notOk(inbox.body.includes(elsewhere.reference), 'nothing of another unit');
  t.notOk(inbox.body.includes('Ash Ward'), 'the unit filter offers only the person’s units');
  const olderCard = inbox.body.slice(inbox.body.lastIndexOf(older.reference));
  t.match(olderCard, /Acknowledgement overdue/);
  t.match(olderCard, /Answer overdue/);
  t.notMatch(inbox.body, /night staff|Parking/, 'no private text in the list');

  const csrf = csrfOf(inbox.body);
  await t.test('filters and search go through the service, the search audited without its words', async (t) => {
    const byStatus = await staff.post('/console/inbox', { _csrf: csrf, status: 'in_review', unitId: '', q: '' });
    t.equal(byStatus.statusCode, 200);
    t.same(referencesIn(byStatus.body, 'all'), [triaged.reference]);
    t.same(referencesIn(byStatus.body, 'pinned'), [flagged.reference], 'the pin stays whatever is asked');
    t.same(referencesIn(byStatus.body, 'new'), []);
    t.match(byStatus.body, /<option value="in_review" selected>/);

    const searched = await staff.post('/console/inbox', { _csrf: csrf, q: 'parking' });
    t.same(referencesIn(searched.body, 'all'), [triaged.reference]);
    const [audit] = await api.sql<{ details: unknown }>(
      sql`select details from audit_events where action = 'searched' order by occurred_at desc limit 1`,
    );
    t.notOk(JSON.stringify(audit?.details).includes('parking'), 'the audit records a search, never its words');

    const outside = await staff.post('/console/inbox', { _csrf: csrf, unitId: otherWard.id });
    t.same(referencesIn(outside.body, 'all'), [], 'another unit’s filter finds nothing of it');
    const siteWide = await staff.post('/console/inbox', { _csrf: csrf, unitId: site.id });
    t.notOk(siteWide.body.includes(elsewhere.reference));
  });

  await t.test(
    'a bad filter answers the form with an error summary; a form without its token is refused',
    async (t) => {
      const bad = await staff.post('/console/inbox', { _csrf: csrf, theme: 'x'.repeat(49), status: 'lost' });
      t.equal(bad.statusCode, 400);
      t.match(bad.body, /There is a problem/);
      t.match(bad.body, /<a href="#theme">Enter a theme code of 48 characters or fewer/);
      t.match(bad.body, /<a href="#status">Choose a status/);
      const noToken = await staff.post('/console/inbox', { status: 'received' });
      t.equal(noToken.statusCode, 403);
      t.match(noToken.body, /This form has expired/);
    },
  );

  await t.test('cursor paging keeps the filters', async (t) => {
    for (let index = 0; index < 26; index += 1) await recordFeedback(api, ward.id, { text: `Item ${index}` });
    const first = await staff.post('/console/inbox', { _csrf: csrf, kind: '' });
    t.equal(referencesIn(first.body, 'all').length, 25);
    const cursor = /name="cursor" value="([^"]+)"/.exec(first.body)?.[1] as string;
    t.ok(cursor);
    const second = await staff.post('/console/inbox', { _csrf: csrf, cursor });
    const seen = new Set(referencesIn(first.body, 'all'));
    const next = referencesIn(second.body, 'all');
    t.equal(next.length, 4, '29 items: 25 and 4');
    t.notOk(
      next.some((reference) => seen.has(reference)),
      'the second page goes on from the first',
    );
    t.same(referencesIn(second.body, 'pinned'), [], 'pins only on the first page');
  });

  t.equal((await api.app.inject({ method: 'GET', url: '/console/inbox' })).statusCode, 401, 'no session, no inbox');
});
