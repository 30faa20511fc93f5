import { asc, eq } from 'drizzle-orm';
import t from 'tap';
import { replies } from '../../src/db/schema/index.js';
import { buildReplyMessage } from '../../src/modules/replies/replies.messages.js';
import { loadReplyContext } from '../../src/modules/replies/replies-delivery.repository.js';
import { buildTestApp, createTree } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';

const privateMarker = 'PRIVATE-MARKER-7731';
const base = 'https://feedback.example.nhs.uk';

t.test('a reply says what the board says, from public-safe fields only, plain or Easy Read', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff');
  const l = loop(api, staff);

  const contact = { name: `Sam ${privateMarker}`, email: 'sam@example.org', phone: '07700 900123', wantsReply: true };
  const plain = await l.feedback(ward.id, {
    text: `The nights are long ${privateMarker}`,
    youSaid: 'There is nothing to do in the evenings',
    receivedAt: '2025-12-24T10:00:00.000Z',
    contact,
  });
  const easy = await l.feedback(ward.id, {
    text: `Too noisy ${privateMarker}`,
    youSaid: 'The ward is too noisy at night',
    receivedAt: '2025-12-24T10:00:00.000Z',
    contact: { ...contact, communicationNeeds: ['easy_read', 'large_print'] },
  });
  await l.closeWithAction(ward.id, [plain.id]);
  t.equal((await l.decide(easy.id, { referredTo: 'the estates team' })).statusCode, 200);

  const messagesOf = async (feedbackId: string) => {
    const rows = await api.app.db
      .select({ id: replies.id })
      .from(replies)
      .where(eq(replies.feedbackId, feedbackId))
      .orderBy(asc(replies.transitionId));
    return Promise.all(
      rows.map(async (row) => {
        const context = await loadReplyContext(api.app.db, row.id);
        if (!context) throw new Error('no context');
        t.same(context.contact?.email, 'sam@example.org', 'the sender gets the contact');
        return buildReplyMessage(context.facts, base);
      }),
    );
  };

  const [ack, done] = await messagesOf(plain.id);
  if (!ack || !done) throw new Error('two replies expected');
  t.equal(ack.subject, `We have received your feedback (reference ${plain.reference})`);
  t.match(ack.text, /Thank you for your feedback about Willow Ward\. We received it on Wednesday 24 December 2025\./);
  t.match(ack.text, 'In short, you said: “There is nothing to do in the evenings”');
  t.equal(ack.trackingUrl, `${base}/track/${plain.reference}`);
  t.ok(ack.text.endsWith(`\n${base}/track/${plain.reference}`), 'the link closes the message');
  t.notOk(ack.easyRead);
  t.match(done.subject, /^What we did about your feedback/);
  t.match(done.text, 'We did: Sunday film club.');
  t.match(done.text, 'What changed: We started a Sunday film club.');
  t.match(done.trackingPrompt, /^Did this answer you\?/);
  t.match(done.sms, `${base}/track/${plain.reference}`);

  const [easyAck, couldnt] = await messagesOf(easy.id);
  if (!easyAck || !couldnt) throw new Error('two replies expected');
  t.ok(easyAck.easyRead && easyAck.largePrint, 'the needs travel with the message');
  t.equal(easyAck.subject, 'We got your feedback');
  t.match(easyAck.paragraphs, ['Thank you for telling us what you think.', 'You told us about Willow Ward.']);
  t.match(easyAck.text, 'We got your feedback on 24 December 2025.');
  t.equal(couldnt.subject, 'What happened to your feedback');
  t.match(couldnt.text, 'We could not do this.\n\nThis is why: The ward has no space for a second lounge.');
  t.match(couldnt.text, 'We passed it on to the estates team.');
  t.match(couldnt.trackingPrompt, /^Did this answer you\?/);
  for (const message of [...(await messagesOf(plain.id)), easyAck, couldnt]) {
    // Easy Read: short sentences, one idea each; no message carries private words.
    if (message.easyRead) {
      for (const paragraph of message.paragraphs) t.ok(paragraph.split(/[.?!] /).length <= 2, paragraph);
    }
    const all = JSON.stringify(message);
    t.notMatch(all, privateMarker, 'no raw text, no name');
    t.notMatch(all, 'sam@example.org', 'no address');
    t.notMatch(all, '07700', 'no phone number');
  }
  t.ok(ack.sms.length <= 306 && done.sms.length <= 306 && couldnt.sms.length <= 306, 'SMS within two parts');

  const erased = await api.request({ method: 'POST', url: `/v1/feedback/${plain.id}/erase`, payload: {} });
  t.equal(erased.statusCode, 200, erased.body);
  const [afterErasure] = await api.app.db
    .select({ id: replies.id })
    .from(replies)
    .where(eq(replies.feedbackId, plain.id));
  const context = await loadReplyContext(api.app.db, afterErasure?.id ?? '');
  t.equal(context?.contact, null, 'erased: no contact to send to');
});
