import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';

t.test('boards show what the panel recommended and what was done, or why not, without names', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api, 'B');
  const reviewer = await api.createKey('reviewer', ward.id, 'Jordan Reviewername');
  const l = loop(api);
  const item = await l.feedback(ward.id, { youSaid: 'Evenings are long', publishConsent: true });
  const recommend = async (title: string) => {
    const response = await api.request({
      method: 'POST',
      url: '/v1/recommendations',
      key: reviewer,
      payload: { unitId: ward.id, title, text: 'PANEL-FULL-TEXT-9X', feedbackIds: [item.id] },
    });
    t.equal(response.statusCode, 201, response.body);
    return response.json() as { id: string };
  };
  const games = await recommend('Board games in the evening');
  const breakfast = await recommend('Breakfast until ten');
  await recommend('A proposal not yet answered');

  const action = await l.action({ unitId: ward.id, title: 'Games box in the lounge', feedbackIds: [item.id] });
  const accepted = await api.request({
    method: 'POST',
    url: `/v1/recommendations/${games.id}/accept`,
    payload: { actionIds: [action.id] },
  });
  t.equal(accepted.statusCode, 200);
  await api.request({
    method: 'POST',
    url: `/v1/recommendations/${breakfast.id}/decline`,
    payload: { response: 'The kitchen contract fixes breakfast times until 2027' },
  });

  const board = async () => (await api.request({ method: 'GET', url: `/v1/units/${ward.id}/board`, key: null })).json();
  let shown = await board();
  t.match(shown.panel, [
    {
      recommended: 'Breakfast until ten',
      status: 'declined',
      actions: [],
      response: 'The kitchen contract fixes breakfast times until 2027',
    },
    {
      recommended: 'Board games in the evening',
      status: 'accepted',
      actions: [{ title: 'Games box in the lounge', status: 'planned', outcome: null }],
      response: null,
    },
  ]);
  t.equal(shown.panel.length, 2, 'a proposal appears only once staff answer it');
  t.match(shown.entries, [
    { type: 'we_are_doing', title: 'Games box in the lounge', panelRecommendation: 'Board games in the evening' },
  ]);

  await l.complete(action.id, 'A games box is out every evening');
  shown = await board();
  t.match(shown.panel[0], {
    recommended: 'Board games in the evening',
    status: 'done',
    actions: [{ status: 'completed', outcome: 'A games box is out every evening' }],
  });
  t.match(shown.entries[0], { type: 'we_did', panelRecommendation: 'Board games in the evening' });

  // The board page in its own section; the wall screen as entries that turn with the others.
  for (const query of ['', '?easyRead=1', '?mode=screen', '?mode=screen&easyRead=1']) {
    const page = await api.request({ method: 'GET', url: `/boards/${ward.code}${query}`, key: null });
    t.equal(page.statusCode, 200);
    const words = query.includes('easyRead')
      ? [
          'People who use our services told us',
          'Board games in the evening',
          'We did this',
          'We could not do this. This is why',
        ]
      : [
          'Our lived experience panel recommended',
          'We did',
          'A games box is out every evening',
          'We couldn’t, because',
        ];
    for (const text of [...words, 'The kitchen contract fixes breakfast times until 2027']) {
      t.ok(page.body.includes(text), `${query || 'standard'} page says “${text}”`);
    }
    const cards = page.body.match(/<li class="card panel-entry (we_did|we_couldnt)">/g) ?? [];
    t.equal(cards.length, 2, `${query || 'standard'}: both answered recommendations, as entries`);
    for (const secret of ['Reviewername', 'PANEL-FULL-TEXT-9X']) t.notOk(page.body.includes(secret), `never ${secret}`);
  }
  const json = JSON.stringify(shown);
  for (const secret of ['Reviewername', 'PANEL-FULL-TEXT-9X', 'A proposal not yet answered']) {
    t.notOk(json.includes(secret), `the board never carries ${secret}`);
  }

  // The tracking view of the item answered by that action says the panel recommended it.
  const track = await api.request({ method: 'GET', url: `/v1/track/${item.reference}`, key: null });
  t.match(track.json().answer, {
    type: 'we_did',
    actions: [{ title: 'Games box in the lounge', recommendedByPanel: true }],
  });
  const trackPage = await api.request({ method: 'GET', url: `/track/${item.reference}`, key: null });
  t.ok(trackPage.body.includes('Our lived experience panel recommended this.'));
});

t.test('a recommendation for a site answered by a ward’s action: both boards follow the action', async (t) => {
  const api = await buildTestApp(t);
  const { site, ward } = await createTree(api, 'BS');
  const l = loop(api);
  const made = await api.request({
    method: 'POST',
    url: '/v1/recommendations',
    payload: { unitId: site.id, title: 'Quiet hours on every ward', text: 'From a panel meeting' },
  });
  const action = await l.action({ unitId: ward.id, title: 'Quiet hours on Willow' });
  const board = async (unitId: string) =>
    (await api.request({ method: 'GET', url: `/v1/units/${unitId}/board`, key: null })).json();
  t.same((await board(ward.id)).entries[0].panelRecommendation, undefined, 'not yet an answer');
  const before = await board(site.id);
  t.same(before.panel, []);
  await api.request({
    method: 'POST',
    url: `/v1/recommendations/${made.json().id}/accept`,
    payload: { actionIds: [action.id] },
  });
  t.equal((await board(ward.id)).entries[0].panelRecommendation, 'Quiet hours on every ward', 'the ward’s board');
  t.match((await board(site.id)).panel, [{ status: 'accepted' }], 'the site’s board');
  await l.complete(action.id, 'Lights are dimmed from ten');
  t.match(
    (await board(site.id)).panel,
    [{ status: 'done', actions: [{ outcome: 'Lights are dimmed from ten' }] }],
    'done on the site’s board, though the action is the ward’s',
  );
});
