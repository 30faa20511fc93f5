import t from 'tap';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';

const privateMarker = 'PRIVATE-MARKER-7Q3 the night nurse shouted at me';
const contact = {
  name: 'Sam Example',
  email: 'sam.private@example.org',
  phone: '07700 900123',
  address: '1 Private Lane\nLeeds\nLS1 1AA',
  wantsReply: true,
  replyBy: 'in_person',
};

const firstReply = async (api: TestApp, key: string, feedbackId: string, kind: string) => {
  const response = await api.request({ method: 'GET', url: `/v1/feedback/${feedbackId}/replies`, key });
  return response.json().items.find((reply: { kind: string }) => reply.kind === kind) as { id: string };
};

t.test('the slip shows the reference, the unit and the public answer, and nothing private', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const staff = await api.createKey('staff');
  const l = loop(api, staff);
  const item = await l.feedback(ward.id, {
    text: privateMarker,
    youSaid: 'The garden is locked at weekends',
    publishConsent: true,
    contact,
  });
  const other = await l.feedback(ward.id, { text: 'Someone else’s words', youSaid: 'Another person’s summary' });
  const action = await l.action({ unitId: ward.id, feedbackIds: [item.id], title: 'Garden open at weekends' });
  t.equal((await l.complete(action.id, 'The garden is now open from 9am to 5pm every day.')).statusCode, 200);
  const answer = await firstReply(api, staff, item.id, 'answer');

  const slip = await api.request({
    method: 'GET',
    url: `/v1/feedback/${item.id}/replies/${answer.id}/slip`,
    key: staff,
  });
  t.equal(slip.statusCode, 200, slip.body);
  t.match(slip.headers['content-type'], /^text\/html/);
  t.equal(slip.headers['cache-control'], 'no-store');
  t.match(String(slip.headers['content-security-policy']), /style-src 'sha256-/);
  const page = slip.body;
  t.match(page, item.reference, 'the reference');
  t.match(page, 'Willow Ward', 'the unit');
  t.match(page, 'Garden open at weekends', 'what we did');
  t.match(page, 'The garden is now open from 9am to 5pm every day.', 'what changed');
  t.match(page, 'The garden is locked at weekends', 'the summary');
  t.match(page, `/track/${item.reference}`, 'the tracking link');
  t.match(page, 'Did this answer you?');
  t.match(page, '@page{size:A5 portrait', 'prints on A5');
  for (const secret of [
    'PRIVATE-MARKER',
    'Sam Example',
    'sam.private@example.org',
    '07700',
    'Private Lane',
    'LS1 1AA',
  ]) {
    t.notMatch(page, secret, `never ${secret}`);
  }
  t.notMatch(page, 'Another person', 'never anyone else’s data');
  t.notOk(other.id && page.includes(other.reference), 'nor another item’s reference');

  const a4 = await api.request({
    method: 'GET',
    url: `/v1/feedback/${item.id}/replies/${answer.id}/slip?paper=a4`,
    key: staff,
  });
  t.match(a4.body, '@page{size:A4 portrait', 'A4 when asked');

  const elsewhere = await api.createKey('staff', otherWard.id);
  const outside = await api.request({
    method: 'GET',
    url: `/v1/feedback/${item.id}/replies/${answer.id}/slip`,
    key: elsewhere,
  });
  t.equal(outside.statusCode, 404, 'outside the key’s scope');
  const auditor = await api.request({
    method: 'GET',
    url: `/v1/feedback/${item.id}/replies/${answer.id}/slip`,
    key: await api.createKey('auditor'),
  });
  t.equal(auditor.statusCode, 403);
  const noKey = await api.request({
    method: 'GET',
    url: `/v1/feedback/${item.id}/replies/${answer.id}/slip`,
    key: null,
  });
  t.equal(noKey.statusCode, 401);
  const wrongItem = await api.request({
    method: 'GET',
    url: `/v1/feedback/${other.id}/replies/${answer.id}/slip`,
    key: staff,
  });
  t.equal(wrongItem.statusCode, 404, 'a reply is found only under its own item');
});

t.test('large print, Easy Read, and the support staff must arrange, shown to staff but never printed', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff');
  const l = loop(api, staff);
  const item = await l.feedback(ward.id, {
    kind: 'concern',
    contact: { ...contact, replyBy: 'letter', communicationNeeds: ['large_print', 'easy_read', 'bsl'] },
  });
  const acknowledgement = await firstReply(api, staff, item.id, 'acknowledgement');
  const slip = await api.request({
    method: 'GET',
    url: `/v1/feedback/${item.id}/replies/${acknowledgement.id}/slip`,
    key: staff,
  });
  t.equal(slip.statusCode, 200);
  t.match(slip.body, 'class="slip large-print"');
  t.match(slip.body, 'html,body{font-size:18pt}', '18 pt when printed');
  t.match(slip.body, '@page{size:A4 portrait', 'large print goes on A4');
  t.match(slip.body, 'Your reference number is', 'Easy Read wording');
  t.match(slip.body, 'British Sign Language (BSL)', 'staff see what support is needed');
  t.match(slip.body, '.staff{display:none!important}', 'the staff box is not printed');
  for (const secret of ['Sam Example', 'sam.private@example.org', 'Private Lane']) t.notMatch(slip.body, secret);

  t.equal((await api.request({ method: 'POST', url: `/v1/feedback/${item.id}/erase` })).statusCode, 200);
  const erased = await api.request({
    method: 'GET',
    url: `/v1/feedback/${item.id}/replies/${acknowledgement.id}/slip`,
    key: staff,
  });
  t.equal(erased.statusCode, 409, 'no slip once the person’s details are erased');
});
