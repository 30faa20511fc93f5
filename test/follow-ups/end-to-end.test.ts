import t from 'tap';
import { buildTestApp, createTree, testConfig } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';
import { startSmtpCatcher } from '../helpers/smtp-catcher.js';

const publicBase = 'https://feedback.example.nhs.uk';

t.test(
  'end to end over real SMTP: acknowledged, answered, the person says no from the link, the item reopens and is answered again',
  async (t) => {
    const smtp = await startSmtpCatcher();
    t.teardown(smtp.close);
    const api = await buildTestApp(t, {
      config: testConfig({
        SEND_REPLIES: 'true',
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Riverside Hospital <replies@example.nhs.uk>',
        PUBLIC_BASE_URL: publicBase,
      }),
    });
    const { ward } = await createTree(api);
    const staff = await api.createKey('staff');
    const l = loop(api, staff);
    const item = await l.feedback(ward.id, {
      youSaid: 'There is nothing to do in the evenings',
      contact: { email: 'sam@example.org', wantsReply: true },
    });

    await smtp.received(1);
    t.match(smtp.mails[0]?.parsed.subject, 'We have received your feedback');
    await l.closeWithAction(ward.id, [item.id]);
    await smtp.received(2);
    const answer = smtp.mails[1]?.parsed.text ?? '';
    t.match(answer, 'Did this answer you?');
    const link = answer.match(/https:\/\/feedback\.example\.nhs\.uk\/track\/[A-Z0-9-]+/)?.[0];
    if (!link) throw new Error(`no tracking link in: ${answer}`);
    const page = new URL(link).pathname;

    // The person opens the link and sends the form: "No", with a comment.
    const asked = await api.request({ method: 'GET', url: page, key: null });
    t.match(asked.body, '<legend>Did this answer you?</legend>', 'the page asks');
    const sent = await api.request({
      method: 'POST',
      url: `${page}/follow-up`,
      payload: 'answer=no&comment=The+evenings+are+still+empty',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      key: null,
    });
    t.equal(sent.statusCode, 303, sent.body);
    t.equal(sent.headers.location, `${page}#follow-up`);
    const thanked = await api.request({ method: 'GET', url: page, key: null });
    t.match(thanked.body, 'We have opened your feedback again');
    t.notMatch(thanked.body, 'The evenings are still empty', 'the comment is not shown back on a public page');

    t.equal(await l.status(item.id), 'in_review', 'the item is reopened');
    const feed = (await api.request({ method: 'GET', url: '/v1/events?types=feedback.follow_up', key: staff })).json();
    t.same(
      feed.events.map((event: { data: { id: string; answer: string } }) => [event.data.id, event.data.answer]),
      [[item.id, 'no']],
      'announced on the feed',
    );

    // Staff act again; the person gets a new answer and is asked again.
    await l.closeWithAction(ward.id, [item.id]);
    await smtp.received(3);
    t.match(smtp.mails[2]?.parsed.text, 'Did this answer you?');
    const again = await api.request({
      method: 'POST',
      url: `/v1${page}/follow-up`,
      payload: { answer: 'yes' },
      key: null,
    });
    t.equal(again.statusCode, 201, 'a new answer, a new chance to say');
    t.equal(await l.status(item.id), 'actioned');
  },
);
