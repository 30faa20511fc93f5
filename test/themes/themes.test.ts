import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

const defaultCodes = [
  'food',
  'activities',
  'environment',
  'staff_attitude',
  'communication',
  'medication',
  'safety',
  'visiting',
  'discharge',
  'cultural_spiritual',
  'access',
  'privacy_dignity',
  'involvement_in_care',
];

t.test('the theme vocabulary: seeded defaults, read by every role, replaced by admin', async (t) => {
  const api = await buildTestApp(t);

  await t.test('a fresh install has the default vocabulary for mental health wards', async (t) => {
    const display = await api.createKey('display');
    const res = await api.request({ method: 'GET', url: '/v1/themes', key: display });
    t.equal(res.statusCode, 200);
    const items = res.json().items as { code: string; label: string }[];
    t.same(items.map((i) => i.code).sort(), [...defaultCodes].sort());
    t.ok(
      items.every((i) => i.label.trim().length > 0),
      'each theme has a plain label',
    );
    t.equal(res.json().nextCursor, null);
  });

  await t.test('PUT replaces the vocabulary in order; left-out codes are retired and can return', async (t) => {
    const staff = await api.createKey('staff');
    const refused = await api.request({
      method: 'PUT',
      url: '/v1/themes',
      key: staff,
      payload: { themes: [{ code: 'food', label: 'Food' }] },
    });
    t.equal(refused.statusCode, 403, 'only admin changes the vocabulary');

    const put = await api.request({
      method: 'PUT',
      url: '/v1/themes',
      payload: {
        themes: [
          { code: 'noise', label: 'Noise at night' },
          { code: 'food', label: 'Food and drink' },
        ],
      },
    });
    t.equal(put.statusCode, 200);
    t.same(put.json().items, [
      { code: 'noise', label: 'Noise at night' },
      { code: 'food', label: 'Food and drink' },
    ]);
    const read = await api.request({ method: 'GET', url: '/v1/themes', key: staff });
    t.same(read.json().items, put.json().items, 'what was put is what is read');

    const back = await api.request({
      method: 'PUT',
      url: '/v1/themes',
      payload: { themes: [{ code: 'safety', label: 'Feeling safe' }] },
    });
    t.same(back.json().items, [{ code: 'safety', label: 'Feeling safe' }], 'a retired code comes back');
  });

  await t.test('bad vocabularies are refused with the failing paths', async (t) => {
    const dup = await api.request({
      method: 'PUT',
      url: '/v1/themes',
      payload: {
        themes: [
          { code: 'food', label: 'A' },
          { code: 'food', label: 'B' },
        ],
      },
    });
    t.equal(dup.statusCode, 400, 'duplicate codes');
    const empty = await api.request({ method: 'PUT', url: '/v1/themes', payload: { themes: [] } });
    t.equal(empty.statusCode, 400, 'an empty vocabulary');
    t.equal(empty.json().errors[0].path, '/themes');
    const nested = await api.request({
      method: 'PUT',
      url: '/v1/themes',
      payload: {
        themes: [
          { code: 'ok', label: 'Fine' },
          { code: 'Not OK', label: 'x', colour: 'red' },
        ],
      },
    });
    t.equal(nested.statusCode, 400);
    t.same((nested.json().errors as { path: string }[]).map((e) => e.path).sort(), [
      '/themes/1/code',
      '/themes/1/colour',
    ]);
  });

  await t.test('the vocabulary is trust-wide: a unit-scoped admin may not replace it', async (t) => {
    const trust = await api.createUnit({ type: 'trust', code: 'TH-TRUST', name: 'Trust' });
    const site = await api.createUnit({ type: 'site', code: 'TH-SITE', name: 'Site', parentId: trust.id });
    const siteAdmin = await api.createKey('admin', site.id, 'Site admin');
    const before = (await api.request({ method: 'GET', url: '/v1/themes' })).json().items;
    const res = await api.request({
      method: 'PUT',
      url: '/v1/themes',
      key: siteAdmin,
      payload: { themes: [{ code: 'only_mine', label: 'Only mine' }] },
    });
    t.equal(res.statusCode, 403);
    t.match(res.json().detail, /shared by the whole trust: only an admin key without a unit scope/, 'says why');
    t.same((await api.request({ method: 'GET', url: '/v1/themes' })).json().items, before, 'nothing changed');
    t.equal(
      (await api.request({ method: 'GET', url: '/v1/themes', key: siteAdmin })).statusCode,
      200,
      'it may still read the vocabulary',
    );
  });
});
