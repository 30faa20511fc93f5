import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { consoleSession, csrfOf } from '../helpers/console.js';
import { recordFeedback } from '../helpers/fixtures.js';

t.test(
  'the item page: scope, the audited text, the triage forms, the conflict page, decision and reopen',
  async (t) => {
    const api = await buildTestApp(t);
    const { ward, otherWard } = await createTree(api);
    const item = await recordFeedback(api, ward.id, {
      text: 'The night staff were kind to my dad',
      contact: { name: 'Sam Carter', email: 'sam@example.org', wantsReply: false },
    });
    const elsewhere = await recordFeedback(api, otherWard.id, { text: 'Ash ward words' });
    const staff = await consoleSession(api, 'willow@trust.nhs.uk', 'staff', ward.id);
    const url = `/console/feedback/${item.id}`;

    const outside = await staff.get(`/console/feedback/${elsewhere.id}`);
    t.equal(outside.statusCode, 404, 'another unit’s item is not found, as in the API');
    t.notMatch(outside.body, /Ash ward words/);

    const page = await staff.get(url);
    t.equal(page.statusCode, 200);
    t.equal(page.headers['cache-control'], 'no-store');
    t.match(page.headers['content-security-policy'], /default-src 'none'.*media-src 'self'/);
    t.match(page.body, /The night staff were kind to my dad/);
    t.match(page.body, /Sam Carter/);
    const reads = await api.sql<{ action: string }>(
      sql`select action from audit_events where entity_id = ${item.id} and action in ('text_read', 'contact_read') order by action`,
    );
    t.same(
      reads.map((row) => row.action),
      ['contact_read', 'text_read'],
      'reading the page is audited as the API’s read is',
    );
    const csrf = csrfOf(page.body);

    await t.test('a form without its token is refused and changes nothing', async (t) => {
      const refused = await staff.post(`${url}/triage`, { version: String(item.version), youSaid: 'Kind night staff' });
      t.equal(refused.statusCode, 403);
      t.equal((await api.request({ method: 'GET', url: `/v1/feedback/${item.id}` })).json().youSaid, null);
    });

    await t.test('bad input answers the page with an error summary linking to the field', async (t) => {
      const bad = await staff.post(`${url}/triage`, {
        _csrf: csrf,
        version: String(item.version),
        youSaid: 'x'.repeat(281),
        themes: 'not-a-theme',
      });
      t.equal(bad.statusCode, 400);
      t.match(bad.body, /There is a problem/);
      t.match(bad.body, /<a href="#youSaid">Write the summary in 280 characters or fewer/);
      t.match(bad.body, /aria-describedby="youSaid-error"/);
      t.match(bad.body, new RegExp(`>${'x'.repeat(281)}</textarea>`), 'what they wrote is kept');
      const unknownTheme = await staff.post(`${url}/triage`, {
        _csrf: csrf,
        version: String(item.version),
        themes: 'nope',
      });
      t.equal(unknownTheme.statusCode, 400);
      t.match(unknownTheme.body, /<a href="#themes">Not in the theme vocabulary: nope/);
    });

    await t.test(
      'the summary saved through the service; someone else’s change first gives the conflict page',
      async (t) => {
        const saved = await staff.post(`${url}/triage`, {
          _csrf: csrf,
          version: String(item.version),
          youSaid: 'The night staff were kind',
          publishConsent: 'yes',
          kind: 'compliment',
          themes: '',
        });
        t.equal(saved.statusCode, 303, saved.body);
        t.equal(saved.headers.location, url);
        const now = (await api.request({ method: 'GET', url: `/v1/feedback/${item.id}` })).json();
        t.equal(now.youSaid, 'The night staff were kind');
        t.equal(now.publishConsent, true);
        t.equal(now.kind, 'compliment');
        t.equal(now.status, 'in_review', 'the first edit is the triage, as in the API');

        // Someone else saves with the API while this person still has the old page open.
        const stale = String(now.version);
        const theirs = await api.request({
          method: 'PATCH',
          url: `/v1/feedback/${item.id}`,
          headers: { 'if-match': `"v${now.version}"` },
          payload: { youSaid: 'Staff on nights were kind' },
        });
        t.equal(theirs.statusCode, 200);
        const conflict = await staff.post(`${url}/triage`, {
          _csrf: csrf,
          version: stale,
          youSaid: 'Night staff were very kind',
          publishConsent: 'yes',
          kind: 'compliment',
        });
        t.equal(conflict.statusCode, 409);
        t.match(conflict.body, /Someone else changed this item first/);
        t.match(conflict.body, /<td>Staff on nights were kind<\/td><td>Night staff were very kind<\/td>/);
        t.match(conflict.body, />Night staff were very kind<\/textarea>/, 'the form holds their own version');
        t.equal(
          (await api.request({ method: 'GET', url: `/v1/feedback/${item.id}` })).json().youSaid,
          'Staff on nights were kind',
          'nothing overwritten in silence',
        );
        const newVersion = /name="version" value="(\d+)"/.exec(conflict.body)?.[1] as string;
        const again = await staff.post(`${url}/triage`, {
          _csrf: csrf,
          version: newVersion,
          youSaid: 'Night staff were very kind',
          publishConsent: 'yes',
          kind: 'compliment',
        });
        t.equal(again.statusCode, 303, 'saving again on purpose replaces theirs');
      },
    );

    await t.test('a decision, then reopen, through the forms', async (t) => {
      const current = (await api.request({ method: 'GET', url: `/v1/feedback/${item.id}` })).json();
      await api.request({
        method: 'PATCH',
        url: `/v1/feedback/${item.id}`,
        headers: { 'if-match': `"v${current.version}"` },
        payload: { kind: 'suggestion' },
      });
      const fresh = await staff.get(url);
      const version = /name="version" value="(\d+)"/.exec(fresh.body)?.[1] as string;
      const missing = await staff.post(`${url}/decision`, { _csrf: csrf, version, reasonCode: '', explanation: '' });
      t.equal(missing.statusCode, 400);
      t.match(missing.body, /<a href="#reasonCode">Choose a reason/);
      t.match(missing.body, /<a href="#explanation">Write the public explanation/);
      const decided = await staff.post(`${url}/decision`, {
        _csrf: csrf,
        version,
        reasonCode: 'not_feasible',
        explanation: 'The ward has no room for a second TV',
      });
      t.equal(decided.statusCode, 303, decided.body);
      const closed = (await api.request({ method: 'GET', url: `/v1/feedback/${item.id}` })).json();
      t.equal(closed.status, 'not_actioned');
      t.equal(closed.decision.explanation, 'The ward has no room for a second TV');
      const closedPage = await staff.get(url);
      t.match(closedPage.body, /Reopen/);
      const reopened = await staff.post(`${url}/reopen`, {
        _csrf: csrf,
        version: String(closed.version),
        reason: 'The family asked again',
      });
      t.equal(reopened.statusCode, 303);
      t.equal((await api.request({ method: 'GET', url: `/v1/feedback/${item.id}` })).json().closedAt, null);
    });

    await t.test('safeguarding: flag by hand, then review', async (t) => {
      const before = await staff.get(url);
      const version = /name="version" value="(\d+)"/.exec(before.body)?.[1] as string;
      t.equal((await staff.post(`${url}/safeguarding`, { _csrf: csrf, version, status: 'flagged' })).statusCode, 303);
      const flagged = await staff.get(url);
      t.match(flagged.body, /Reviewed: I looked and acted as needed/);
      const next = /name="version" value="(\d+)"/.exec(flagged.body)?.[1] as string;
      const reviewed = await staff.post(`${url}/safeguarding`, {
        _csrf: csrf,
        version: next,
        status: 'reviewed',
        note: 'Spoke to the family',
      });
      t.equal(reviewed.statusCode, 303);
      t.equal((await api.request({ method: 'GET', url: `/v1/feedback/${item.id}` })).json().safeguarding, 'reviewed');
    });

    t.equal(
      (await staff.post(`/console/feedback/${elsewhere.id}/triage`, { _csrf: csrf, version: '1', youSaid: 'x' }))
        .statusCode,
      404,
    );
  },
);
