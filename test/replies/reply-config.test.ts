import t from 'tap';
import { loadConfig, loggableSettings } from '../../src/config.js';

const notifyKey = 'wedid_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0';

t.test('reply settings: defaults, refusals, and no secret in the start-up line', async (t) => {
  t.equal(loadConfig({}).PUBLIC_BASE_URL, 'http://127.0.0.1:3000', 'unset: this instance');
  t.equal(loadConfig({ PORT: '8080' }).PUBLIC_BASE_URL, 'http://127.0.0.1:8080');
  t.equal(
    loadConfig({ PUBLIC_BASE_URL: 'https://feedback.example.nhs.uk/' }).PUBLIC_BASE_URL,
    'https://feedback.example.nhs.uk',
  );
  t.equal(loadConfig({}).NOTIFY_BASE_URL, 'https://api.notifications.service.gov.uk');
  t.throws(() => loadConfig({ PUBLIC_BASE_URL: 'ftp://x.org' }), { message: /PUBLIC_BASE_URL:/ });
  t.throws(() => loadConfig({ SMTP_URL: 'http://mail' }), { message: /SMTP_URL: must be an smtp/ });
  t.throws(() => loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525' }), { message: /MAIL_FROM: is needed with SMTP_URL/ });
  t.throws(() => loadConfig({ MAIL_FROM: 'Ward\r\nBcc: x@y.org <a@b.org>' }), { message: /MAIL_FROM:/ });
  t.throws(() => loadConfig({ NOTIFY_API_KEY: 'not-a-key' }), { message: /NOTIFY_API_KEY:/ });
  t.throws(() => loadConfig({ NOTIFY_SMS_TEMPLATE_ID: 'sms' }), { message: /NOTIFY_SMS_TEMPLATE_ID:/ });

  const config = loadConfig({
    SMTP_URL: 'smtp://replies:s3cret-pass@mail.example.org:587',
    MAIL_FROM: 'Willow Trust <replies@example.nhs.uk>',
    NOTIFY_API_KEY: notifyKey,
    NOTIFY_EMAIL_TEMPLATE_ID: '0d6a0b2e-1c3f-4a55-9d1c-111111111111',
  });
  const line = JSON.stringify(loggableSettings(config));
  t.notMatch(line, 's3cret-pass', 'the SMTP password is masked');
  t.match(line, 'smtp://replies:***@mail.example.org:587');
  t.notMatch(line, '3d844edf', 'the Notify key is left out');
  t.match(line, 'Willow Trust <replies@example.nhs.uk>');
});
