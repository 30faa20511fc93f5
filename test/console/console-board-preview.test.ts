import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { consoleSession } from '../helpers/console.js';
import { loop } from '../helpers/fixtures.js';

const entriesOf = (page: string) => /<ol class="entries" id="entries">[\s\S]*?<\/ol>/.exec(page)?.[0];

t.test('the board preview: the board as the ward sees it, and what is not on it yet', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const l = loop(api);
  const published = await l.feedback(ward.id, {
    text: 'The garden gate is always locked',
    youSaid: 'The garden is locked at weekends',
    publishConsent: true,
  });
  const unconsented = await l.feedback(ward.id, {
    text: 'PRIVATE-TEXT my mother fell in the corridor',
    youSaid: 'UNCONSENTED-SUMMARY corridor lighting',
  });
  const unsummarised = await l.feedback(ward.id, { text: 'PRIVATE-TEXT-2 noisy at night', publishConsent: true });
  const untouched = await l.feedback(ward.id, { text: 'Not answered yet', youSaid: 'Open item' });
  await l.closeWithAction(ward.id, [published.id, unconsented.id]);
  t.equal((await l.decide(unsummarised.id)).statusCode, 200);
  const staff = await consoleSession(api, 'willow@trust.nhs.uk', 'staff', ward.id);

  const preview = await staff.get(`/console/units/${ward.id}/board`);
  t.equal(preview.statusCode, 200, preview.body);
  t.equal(preview.headers['cache-control'], 'no-store');
  t.match(preview.headers['content-security-policy'], /script-src 'none'/, 'no script at all');
  const board = await api.app.inject({ method: 'GET', url: `/boards/${ward.code}` });
  t.ok(entriesOf(board.body), 'the public board has entries');
  t.equal(entriesOf(preview.body), entriesOf(board.body), 'the entries exactly as /boards/{code} shows them');
  t.match(preview.body, 'The garden is locked at weekends');

  const notOnBoard = /<section aria-labelledby="held-back-title">[\s\S]*?<\/section>/.exec(preview.body)?.[0] ?? '';
  t.match(notOnBoard, 'Not on the board yet');
  t.match(notOnBoard, /2 items have an action or a decision/);
  t.match(
    notOnBoard,
    `<a href="/console/feedback/${unconsented.id}">${unconsented.reference}</a>: the person has not agreed it may go on a board`,
  );
  t.match(
    notOnBoard,
    `<a href="/console/feedback/${unsummarised.id}">${unsummarised.reference}</a>: no “You said” summary written yet`,
  );
  t.notMatch(notOnBoard, published.reference, 'what is on the board is not listed');
  t.notMatch(notOnBoard, untouched.reference, 'nor an item with nothing to show yet');
  for (const secret of ['PRIVATE-TEXT', 'UNCONSENTED-SUMMARY', 'garden gate']) {
    t.notMatch(preview.body, secret, `${secret} appears nowhere`);
  }

  await t.test('the Easy Read version, as the board’s own', async (t) => {
    const easy = await staff.get(`/console/units/${ward.id}/board?easyRead=1`);
    t.equal(easy.statusCode, 200);
    t.match(easy.body, '<div class="board-preview easy-read">');
    t.match(easy.body, 'What you said and what we did');
    const easyBoard = await api.app.inject({ method: 'GET', url: `/boards/${ward.code}?easyRead=1` });
    t.equal(entriesOf(easy.body), entriesOf(easyBoard.body));
    t.match(easy.body, `href="/console/units/${ward.id}/board?easyRead=0"`, 'the way back to the standard version');
  });

  await t.test('linked from the landing page, the picker and the item page; out of scope is not found', async (t) => {
    t.match((await staff.get('/console')).body, 'href="/console/boards"');
    const picker = await staff.get('/console/boards');
    t.equal(picker.statusCode, 200);
    t.match(picker.body, `href="/console/units/${ward.id}/board"`);
    t.notMatch(picker.body, otherWard.id, 'only units in scope');
    t.match((await staff.get(`/console/feedback/${published.id}`)).body, `href="/console/units/${ward.id}/board"`);
    const outside = await staff.get(`/console/units/${otherWard.id}/board`);
    t.equal(outside.statusCode, 404);
    t.notMatch(outside.body, 'Ash Ward');
  });
});
