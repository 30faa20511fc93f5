import type { AddressInfo } from 'node:net';
import createClient, { type Middleware } from 'openapi-fetch';
import t, { type Test } from 'tap';
import type { components, paths } from '../../openapi/wedid-api.js';
import { adminSecret, buildTestApp } from '../helpers/app.js';
import { contractViolations, operations } from './openapi-document.js';

// A trust's patient-experience system, written against the generated types and talking to the
// running service over real HTTP. The file must type-check against openapi/wedid-api.d.ts, so a
// contract change that breaks integrators breaks this build; and every response is checked
// against the document those types come from.

type Feedback = components['schemas']['Feedback'];
type Receipt = components['schemas']['FeedbackReceipt'];

/** Staff read the whole item; the contract's union also allows an intake key's receipt. */
function asFeedback(view: Feedback | Receipt | undefined): Feedback {
  if (!view || !('youSaid' in view)) throw new Error('expected the staff view of an item, got a receipt');
  return view;
}
type Problem = components['schemas']['Problem'];

const byTemplate = new Map(operations().map((operation) => [`${operation.method} ${operation.path}`, operation]));

t.test('a trust system closes the loop through the typed client', async (t) => {
  const api = await buildTestApp(t);
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;

  const violations: string[] = [];
  const checkContract: Middleware = {
    async onResponse({ request, response, schemaPath }) {
      const operation = byTemplate.get(`${request.method} ${schemaPath}`);
      if (!operation) {
        violations.push(`${request.method} ${schemaPath} is not in the document`);
        return;
      }
      const body = await response.clone().text();
      for (const violation of contractViolations(
        operation,
        response.status,
        response.headers.get('content-type'),
        body,
      ))
        violations.push(`${request.method} ${schemaPath}: ${violation}`);
    },
  };
  const clientFor = (key: string | null) => {
    // JSON only: the reports' text/csv alternative is not what this system reads.
    const client = createClient<paths, `application/${string}json`>({
      baseUrl,
      headers: key ? { authorization: `Bearer ${key}` } : {},
    });
    client.use(checkContract);
    return client;
  };
  const contractHeld = (t: Test) => t.same(violations.splice(0), [], 'every response matched the contract');

  const admin = clientFor(adminSecret);
  const anonymous = clientFor(null);

  // Set-up, as the trust's administrator would do it once.
  const unit = async (body: components['schemas']['CreateUnitInput']) => {
    const { data, response } = await admin.POST('/v1/units', { body });
    t.equal(response.status, 201, `unit ${body.code} created`);
    return data!;
  };
  const trust = await unit({ type: 'trust', code: 'RXY', name: 'Example NHS Trust' });
  const site = await unit({ type: 'site', code: 'RXY-RIV', name: 'Riverside', parentId: trust.id });
  const ward = await unit({ type: 'ward', code: 'RXY-WIL', name: 'Willow Ward', parentId: site.id });
  const otherWard = await unit({ type: 'ward', code: 'RXY-ASH', name: 'Ash Ward', parentId: site.id });

  const issueKey = async (role: components['schemas']['Role'], name: string) => {
    const { data, response } = await admin.POST('/v1/api-keys', { body: { name, role, unitId: trust.id } });
    t.equal(response.status, 201, `${role} key issued`);
    t.type(data?.key, 'string', 'the secret is returned once');
    return data!.key;
  };
  const intake = clientFor(await issueKey('intake', 'Patient experience system'));
  const staff = clientFor(await issueKey('staff', 'Willow ward manager'));
  const auditor = clientFor(await issueKey('auditor', 'Governance'));

  let first!: Receipt;
  await t.test('intake: a retry with the same Idempotency-Key records once', async (t) => {
    const body: components['schemas']['CreateFeedbackInput'] = {
      unitId: ward.id,
      text: 'The garden is locked at weekends, so we cannot get fresh air',
      kind: 'suggestion',
      channel: 'community_meeting',
      submitterRole: 'patient',
      externalRef: { system: 'px-system', id: 'PX-1001' },
      contact: { name: 'Sam', wantsReply: true },
    };
    const params = { header: { 'idempotency-key': 'px-1001-attempt' } };
    const sent = await intake.POST('/v1/feedback', { params, body });
    t.equal(sent.response.status, 201);
    const item = sent.data!;
    t.match(item.reference, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/, 'a tracking reference');
    t.equal(item.status, 'received');
    t.equal(sent.response.headers.get('location'), `/v1/feedback/${item.id}`);

    const replay = await intake.POST('/v1/feedback', { params, body });
    t.equal(replay.response.status, 201, 'the replay answers as the first did');
    t.same(replay.data, item, 'with the same body, so the same reference');

    const duplicate = await intake.POST('/v1/feedback', {
      body: { ...body, text: 'Sent again by the source system' },
    });
    t.equal(duplicate.response.status, 409);
    const problem: Problem | undefined = duplicate.error;
    t.equal(problem?.type, 'urn:wedid:problem:duplicate-external-ref');
    t.equal(problem?.existingId, item.id, 'the problem names the item already recorded');
    t.match(duplicate.response.headers.get('content-type'), /^application\/problem\+json/);
    first = item;
    contractHeld(t);
  });

  const more: Receipt[] = [];
  for (const [unitId, kind] of [
    [ward.id, 'complaint'],
    [ward.id, 'compliment'],
    [ward.id, 'complaint'],
    [otherWard.id, 'complaint'],
  ] as const) {
    const { data } = await intake.POST('/v1/feedback', { body: { unitId, text: `Feedback about ${kind}`, kind } });
    more.push(data!);
  }

  await t.test('staff: list with filters, page by cursor', async (t) => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { data, response } = await staff.GET('/v1/feedback', {
        params: { query: { unitId: ward.id, status: 'received', limit: 2, ...(cursor ? { cursor } : {}) } },
      });
      t.equal(response.status, 200);
      t.ok(data!.items.length <= 2, 'a page holds at most limit items');
      seen.push(...data!.items.map((item) => item.id));
      cursor = data!.nextCursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 10);
    t.equal(pages, 2, 'four items in pages of two');
    t.same(seen.sort(), [first.id, ...more.slice(0, 3).map((item) => item.id)].sort(), 'the ward’s items, each once');

    const complaints = await staff.GET('/v1/feedback', { params: { query: { unitId: site.id, kind: 'complaint' } } });
    t.same(
      complaints.data!.items.map((item) => item.id).sort(),
      [more[0]!.id, more[2]!.id, more[3]!.id].sort(),
      'a unit filter covers its subtree; kind narrows it',
    );

    const invalid = await staff.GET('/v1/feedback', { params: { query: { limit: 0 } } });
    t.equal(invalid.response.status, 400);
    t.equal(invalid.error?.type, 'urn:wedid:problem:validation-error');
    t.match(invalid.error?.errors, [{ in: 'querystring', path: '/limit' }]);
    contractHeld(t);
  });

  await t.test('staff: read with ETag, edit with If-Match; a stale one gets 412', async (t) => {
    const read = await staff.GET('/v1/feedback/{id}', { params: { path: { id: first.id } } });
    t.equal(read.response.status, 200);
    const etag = read.response.headers.get('etag')!;
    t.equal(etag, `"v${read.data!.version}"`);
    t.equal(
      asFeedback(read.data).text,
      'The garden is locked at weekends, so we cannot get fresh air',
      'staff see the text',
    );

    const edited = await staff.PATCH('/v1/feedback/{id}', {
      params: { path: { id: first.id }, header: { 'if-match': etag } },
      body: { youSaid: 'Open the garden at weekends', publishConsent: true, themes: ['environment'] },
    });
    t.equal(edited.response.status, 200);
    t.equal(edited.data!.status, 'in_review', 'the first edit triages the item');
    t.not(edited.response.headers.get('etag'), etag, 'a new version, a new ETag');

    const stale = await staff.PATCH('/v1/feedback/{id}', {
      params: { path: { id: first.id }, header: { 'if-match': etag } },
      body: { youSaid: 'Someone else’s summary' },
    });
    t.equal(stale.response.status, 412);
    t.equal(stale.error?.type, 'urn:wedid:problem:precondition-failed');
    contractHeld(t);
  });

  await t.test('staff: an action answers the item; completing it closes the item as actioned', async (t) => {
    const created = await staff.POST('/v1/actions', {
      body: {
        unitId: ward.id,
        title: 'Garden open at weekends',
        description: 'The garden door will be unlocked 9 to 5 on Saturdays and Sundays',
        coproduction: { level: 'co_producing', livedExperienceCount: 3 },
        feedbackIds: [first.id],
      },
    });
    t.equal(created.response.status, 201);
    const action = created.data!;
    t.same(action.feedbackIds, [first.id]);

    const planned = await staff.GET('/v1/feedback/{id}', { params: { path: { id: first.id } } });
    t.equal(planned.data!.status, 'planned');

    const completed = await staff.POST('/v1/actions/{id}/complete', {
      params: { path: { id: action.id }, header: { 'if-match': created.response.headers.get('etag')! } },
      body: { outcome: 'The garden is now open 9 to 5 every weekend' },
    });
    t.equal(completed.response.status, 200);
    t.equal(completed.data!.status, 'completed');

    const closed = await staff.GET('/v1/feedback/{id}', { params: { path: { id: first.id } } });
    t.equal(closed.data!.status, 'actioned');
    t.ok(closed.data!.closedAt, 'closedAt is set');
    t.same(asFeedback(closed.data).actionIds, [action.id]);
    contractHeld(t);
  });

  await t.test('public: the board carries the answer; an unchanged board answers 304', async (t) => {
    const board = await anonymous.GET('/v1/units/{id}/board', { params: { path: { id: ward.id } } });
    t.equal(board.response.status, 200);
    t.match(board.data!.entries, [
      {
        type: 'we_did',
        youSaid: ['Open the garden at weekends'],
        response: 'The garden is now open 9 to 5 every weekend',
      },
    ]);
    t.notMatch(JSON.stringify(board.data), /fresh air|Sam/, 'no private words on the board');
    const etag = board.response.headers.get('etag')!;
    t.ok(etag, 'the board has an ETag');

    const again = await anonymous.GET('/v1/units/{id}/board', {
      params: { path: { id: ward.id }, header: { 'if-none-match': etag } },
    });
    t.equal(again.response.status, 304);
    t.equal(again.response.headers.get('etag'), etag);
    contractHeld(t);
  });

  await t.test('auditor: the closure report counts the loop', async (t) => {
    const report = await auditor.GET('/v1/reports/closure', { params: { query: { unitId: ward.id } } });
    t.equal(report.response.status, 200);
    const totals = report.data!.totals;
    t.equal(totals.received, 4);
    t.equal(totals.closed, 1);
    t.equal(totals.actioned, 1);
    t.equal(totals.open, 3);
    t.equal(totals.closureRate, 0.25);
    t.equal(totals.coproducedShare, 1, 'the one closing action was co-produced');

    const byKind = await auditor.GET('/v1/reports/closure', {
      params: { query: { unitId: site.id, groupBy: 'kind' } },
    });
    t.match(
      byKind.data!.groups.find((group) => group.key === 'complaint'),
      { received: 3, closed: 0 },
    );
    contractHeld(t);
  });

  await t.test('public: the person follows their item by its reference', async (t) => {
    const compact = first.reference.replace('-', '').toLowerCase();
    const tracked = await anonymous.GET('/v1/track/{reference}', { params: { path: { reference: compact } } });
    t.equal(tracked.response.status, 200, 'any case, with or without the hyphen');
    t.equal(tracked.data!.reference, first.reference);
    t.equal(tracked.data!.status, 'actioned');
    t.equal(tracked.data!.answer?.type, 'we_did');
    t.equal(tracked.data!.answer?.actions[0]?.outcome, 'The garden is now open 9 to 5 every weekend');
    t.notMatch(JSON.stringify(tracked.data), /fresh air|Sam/, 'nothing private');

    const unknown = await anonymous.GET('/v1/track/{reference}', { params: { path: { reference: 'ZZZZ-ZZZZ' } } });
    t.equal(unknown.response.status, 404);
    t.equal(unknown.error?.status, 404);
    contractHeld(t);
  });

  await t.test('without a key, a protected route answers a typed 401 problem', async (t) => {
    const refused = await anonymous.GET('/v1/feedback');
    t.equal(refused.response.status, 401);
    t.equal(refused.error?.type, 'urn:wedid:problem:unauthorized');
    t.equal(refused.response.headers.get('www-authenticate'), 'Bearer');
    contractHeld(t);
  });
});
