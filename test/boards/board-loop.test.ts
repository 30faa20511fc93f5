import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';

// The whole loop through the API, as staff and a ward screen would drive it: every step that
// changes what the board shows must change its ETag, and only public words may appear.
t.test('the loop driven through the API updates the board, and the board only shows public words', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff', ward.id);
  const intake = await api.createKey('intake', ward.id);
  const marker = `PRIVATE-${Math.random().toString(36).slice(2)}`;
  const board = (etag?: string) =>
    api.request({
      method: 'GET',
      url: `/v1/units/${ward.id}/board`,
      key: null,
      headers: etag ? { 'if-none-match': etag } : {},
    });

  const first = await board();
  t.equal(first.statusCode, 200);
  let etag = first.headers.etag as string;
  t.equal((await board(etag)).statusCode, 304, 'nothing changed: 304');

  const expectChanged = async (step: string) => {
    const response = await board(etag);
    t.equal(response.statusCode, 200, `${step}: the board changed`);
    t.not(response.headers.etag, etag, `${step}: a new ETag`);
    etag = response.headers.etag as string;
    t.notMatch(response.body, marker, `${step}: no private words on the board`);
    return response.json();
  };

  const created = await api.request({
    method: 'POST',
    url: '/v1/feedback',
    key: intake,
    payload: {
      unitId: ward.id,
      text: `The garden is always locked ${marker}`,
      kind: 'suggestion',
      channel: 'community_meeting',
      contact: { name: marker, email: `${marker.toLowerCase()}@example.org` },
    },
  });
  t.equal(created.statusCode, 201);
  const item = created.json();
  t.equal((await expectChanged('feedback received')).stats.received, 1);

  const triaged = await api.request({
    method: 'PATCH',
    url: `/v1/feedback/${item.id}`,
    key: staff,
    headers: { 'if-match': created.headers.etag as string },
    payload: { youSaid: 'Open the garden at weekends', publishConsent: true },
  });
  t.equal(triaged.statusCode, 200);

  const action = await api.request({
    method: 'POST',
    url: '/v1/actions',
    key: staff,
    payload: { unitId: ward.id, title: 'Garden open at weekends', feedbackIds: [item.id] },
  });
  t.equal(action.statusCode, 201);
  const doing = await expectChanged('action planned');
  t.match(doing.entries, [{ type: 'we_are_doing', youSaid: ['Open the garden at weekends'] }]);

  const completed = await api.request({
    method: 'POST',
    url: `/v1/actions/${action.json().id}/complete`,
    key: staff,
    payload: { outcome: 'The garden is open 9 to 5 every day' },
  });
  t.equal(completed.statusCode, 200);
  const done = await expectChanged('action completed');
  t.match(done.entries, [
    { type: 'we_did', youSaid: ['Open the garden at weekends'], response: 'The garden is open 9 to 5 every day' },
  ]);
  t.equal(done.stats.actioned, 1);

  const tracked = await api.request({ method: 'GET', url: `/v1/track/${item.reference.toLowerCase()}`, key: null });
  t.equal(tracked.statusCode, 200);
  t.equal(tracked.json().status, 'actioned');
  t.notMatch(tracked.body, marker, 'tracking shows no private words');

  const page = await api.request({ method: 'GET', url: `/boards/${ward.code}`, key: null });
  t.equal(page.statusCode, 200);
  t.match(page.body, 'The garden is open 9 to 5 every day');
  t.notMatch(page.body, marker, 'the board page shows no private words');
});
