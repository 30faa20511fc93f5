import {
  channels,
  collectionModes,
  feedbackKinds,
  fftRatings,
  formats,
  reasonCodes,
  submitterRoles,
} from '../src/db/schema/enums.js';
import { equalityAnswers } from '../src/modules/feedback/equality.schemas.js';

/**
 * A realistic trust, written set-based (insert … select from generate_series) so a million items
 * take minutes, not hours: 1 trust, 5 sites, 100 wards, and a year of feedback with weighted mixes
 * of kind, channel, role, format, themes, consent and contact, about 70% closed. Closed items carry
 * what the invariants demand — a completed action linked (actioned) or one current decision
 * (not_actioned) — and the full transition history the reports are computed from. Every pseudo-random
 * choice is a hash of the item number, so a size always seeds the same data.
 *
 * The bulk inserts run with `session_replication_role = replica`, which skips triggers (foreign-key
 * checks, the deferred invariant checks, the outbox): the data is valid by construction, and
 * `verifySample` runs the invariant checks on a sample afterwards.
 */

export const siteCount = 5;
export const wardCount = 100;
export const trustCode = 'BENCH';
export const wardCode = (n: number) => `WARD-${String(n).padStart(3, '0')}`;

/** Runs one SQL statement (PGlite runs one per call); returns the rows. */
export type Exec = (statement: string) => Promise<Record<string, unknown>[]>;

const themeTexts: [code: string, youSaid: string, title: string, outcome: string][] = [
  [
    'food',
    'The evening meals are cold by the time they reach the ward',
    'Hot trolleys for evening meals',
    'Meals now arrive on heated trolleys and are served within ten minutes',
  ],
  [
    'activities',
    'There is nothing to do at weekends',
    'Weekend activity programme',
    'A weekend timetable with art, walks and a film club started',
  ],
  [
    'environment',
    'The day room is noisy and too bright at night',
    'Quieter day room at night',
    'Dimmer lights and a quiet area were added to the day room',
  ],
  [
    'staff_attitude',
    'The night staff were kind when I could not sleep',
    'Thanks passed to the night team',
    'We passed your thanks to the night team and shared it at handover',
  ],
  [
    'communication',
    'Nobody told me when my ward round would be',
    'Ward round times on the board',
    'Ward round times are now written on the board each morning',
  ],
  [
    'medication',
    'I did not understand why my medication changed',
    'Medication leaflets in plain words',
    'Pharmacists now explain changes and leave a plain-language leaflet',
  ],
  [
    'safety',
    'I did not feel safe in the corridor at night',
    'Extra checks in the corridor',
    'Staff now walk the corridor every half hour at night',
  ],
  [
    'visiting',
    'Visiting hours clash with my family’s work',
    'Evening visiting slots',
    'Visiting now runs until 8pm on weekdays',
  ],
  [
    'discharge',
    'I was not told what would happen after I leave',
    'Discharge plan meeting',
    'Everyone now has a discharge planning meeting a week before leaving',
  ],
  [
    'cultural_spiritual',
    'There is no quiet room to pray',
    'A multi-faith quiet room',
    'A room was set aside for prayer and reflection',
  ],
  [
    'access',
    'The phone to the ward is never answered',
    'A staffed ward phone',
    'A named person answers the ward phone each shift',
  ],
  [
    'privacy_dignity',
    'The bathroom lock is broken',
    'Bathroom locks fixed',
    'All bathroom locks were checked and fixed',
  ],
  [
    'involvement_in_care',
    'I want a say in my care plan',
    'Care plans written together',
    'Care plans are now written with the person at a set meeting',
  ],
];

const decisionTexts: Record<(typeof reasonCodes)[number], string> = {
  already_in_place: 'This is already in place: ask any nurse and they will arrange it',
  not_feasible: 'The building does not allow this change',
  outside_our_control: 'This is decided by the council, not the ward; we passed it on',
  clinical_safety: 'For everyone’s safety this has to stay as it is',
  conflicts_with_other_feedback: 'Other people asked for the opposite, so we kept the current way',
  no_resources: 'There is no money for this this year; we will ask again next year',
  duplicate: 'This was already raised and answered on the board',
  referred_elsewhere: 'We referred this to the estates team, who own it',
  other: 'We looked at this carefully and cannot change it now',
};

const words = [
  'noisy',
  'cold',
  'late',
  'kind',
  'helpful',
  'rude',
  'clean',
  'dirty',
  'quiet',
  'busy',
  'slow',
  'friendly',
  'scared',
  'bored',
  'safe',
  'listened',
  'ignored',
  'calm',
  'lonely',
  'grateful',
];

const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;
const textArray = (values: readonly string[]) => `array[${values.map(quote).join(', ')}]::text[]`;

/** A CASE picking a value by weight with the uniform draw `draw` in [0, 1). */
function pick(draw: string, weighted: [string, number][]): string {
  const total = weighted.reduce((sum, [, weight]) => sum + weight, 0);
  let cumulative = 0;
  const arms = weighted.slice(0, -1).map(([value, weight]) => {
    cumulative += weight;
    return `when ${draw} < ${(cumulative / total).toFixed(6)} then ${quote(value)}`;
  });
  return `(case ${arms.join(' ')} else ${quote(weighted.at(-1)![0])} end)`;
}

/** A value from the list, uniformly. */
const uniform = (draw: string, values: readonly string[]) =>
  `(${textArray(values)})[1 + floor(${draw} * ${values.length})::int]`;

const weights = {
  kind: [
    ['compliment', 30],
    ['suggestion', 20],
    ['concern', 25],
    ['complaint', 15],
    ['question', 10],
  ],
  channel: [
    ['survey', 25],
    ['fft', 20],
    ['community_meeting', 10],
    ['conversation', 10],
    ['complaints_process', 8],
    ['pals', 7],
    ['kiosk', 6],
    ['online', 5],
    ['suggestion_box', 4],
    ['advocate', 2],
    ['carer_forum', 2],
    ['other', 1],
  ],
  submitterRole: [
    ['patient', 55],
    ['carer', 15],
    ['family', 12],
    ['staff', 5],
    ['expert_by_experience', 4],
    ['advocate', 3],
    ['community_organisation', 1],
    ['not_stated', 5],
  ],
  format: [
    ['written', 45],
    ['survey', 30],
    ['verbal', 12],
    ['easy_read', 5],
    ['observed', 3],
    ['voice', 2],
    ['other', 2],
    ['video', 1],
  ],
  coproduction: [
    ['none', 50],
    ['informing', 15],
    ['consulting', 15],
    ['involving', 10],
    ['co_producing', 10],
  ],
  fftRating: [
    ['very_good', 55],
    ['good', 25],
    ['neither_good_nor_poor', 6],
    ['poor', 5],
    ['very_poor', 5],
    ['dont_know', 4],
  ],
  reason: [
    ['already_in_place', 20],
    ['not_feasible', 15],
    ['outside_our_control', 15],
    ['clinical_safety', 15],
    ['conflicts_with_other_feedback', 5],
    ['no_resources', 10],
    ['duplicate', 8],
    ['referred_elsewhere', 8],
    ['other', 4],
  ],
} satisfies Record<string, [string, number][]>;

// The weights name every value of the contract's enumerations; a new value must be given a weight.
for (const [list, values] of [
  [weights.kind, feedbackKinds],
  [weights.channel, channels],
  [weights.submitterRole, submitterRoles],
  [weights.format, formats],
  [weights.reason, reasonCodes],
  [weights.fftRating, fftRatings],
] as const) {
  if (list.length !== values.length) throw new Error(`seed weights out of date: ${values.join(', ')}`);
}

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A tracking reference (`XXXX-XXXX`) for item number `g`: multiplying by an odd constant and xor-ing
 * maps the numbers one-to-one onto 40 bits, so references are unique by construction.
 */
function referenceOf(g: string): string {
  const bits = `((((${g})::bigint * 680564733841) # 733867) & 1099511627775)`;
  const chars = [0, 1, 2, 3, 4, 5, 6, 7].map(
    (p) => `substr('${crockford}', ((${bits} >> ${35 - 5 * p}) & 31)::int + 1, 1)`,
  );
  return [...chars.slice(0, 4), `'-'`, ...chars.slice(4)].join(' || ');
}

/** The statements that seed `items` feedback items, received over the year before `now`. */
export function seedStatements(items: number, now: Date): string[] {
  const nowTs = `${quote(now.toISOString())}::timestamptz`;
  // u(g, k): the k-th uniform draw in [0, 1) for item (or bucket) g.
  const u = (g: string, k: number) => `pg_temp.u(${g}, ${k})`;
  const themeCodes = themeTexts.map(([code]) => code);
  const eq = equalityAnswers;
  return [
    `create function pg_temp.u(g bigint, k int) returns float8 language sql immutable as
      $$ select (hashint8(g::bigint * 1000 + k) & 2147483647)::float8 / 2147483648.0 $$`,
    // A uuid from a name, with the version and variant bits of a v4 uuid so the API accepts it.
    `create function pg_temp.id(name text) returns uuid language sql immutable as
      $$ select overlay(overlay(md5(name) placing '4' from 13) placing '8' from 17)::uuid $$`,
    `set session_replication_role = replica`,
    `insert into units (id, type, code, name, parent_id, path, response_target_days)
      values (pg_temp.id('bench-trust'), 'trust', ${quote(trustCode)}, 'Bench Region NHS Foundation Trust', null,
        array[pg_temp.id('bench-trust')], 28)`,
    `insert into units (id, type, code, name, parent_id, path)
      select pg_temp.id('bench-site-' || n), 'site', 'SITE-' || n, 'Site ' || n, pg_temp.id('bench-trust'),
        array[pg_temp.id('bench-trust'), pg_temp.id('bench-site-' || n)]
      from generate_series(1, ${siteCount}) n`,
    `insert into units (id, type, code, name, parent_id, path)
      select pg_temp.id('bench-ward-' || n), 'ward', 'WARD-' || lpad(n::text, 3, '0'), 'Ward ' || n,
        pg_temp.id('bench-site-' || s),
        array[pg_temp.id('bench-trust'), pg_temp.id('bench-site-' || s), pg_temp.id('bench-ward-' || n)]
      from generate_series(1, ${wardCount}) n, lateral (select 1 + (n - 1) % ${siteCount} as s) site`,
    `create temp table seed_theme_text (idx int primary key, code text, you_said text, title text, outcome text)`,
    `insert into seed_theme_text values ${themeTexts
      .map(
        ([code, youSaid, title, outcome], index) =>
          `(${index + 1}, ${quote(code)}, ${quote(youSaid)}, ${quote(title)}, ${quote(outcome)})`,
      )
      .join(', ')}`,
    // Draws, then status and closing time, then everything derived from them.
    `create temp table seed_items as
    with draws as (
      select g,
        pg_temp.id('bench-item-' || g) as id,
        1 + floor(power(${u('g', 1)}, 1.3) * ${wardCount})::int as ward,
        ${nowTs} - ${u('g', 2)} * interval '365 days' as received_at,
        1 + floor(${u('g', 3)} * ${themeCodes.length})::int as theme1,
        ${pick(u('g', 4), weights.kind)} as kind,
        ${u('g', 5)} as r_status, ${u('g', 6)} as r_outcome, ${u('g', 7)} as r_open, ${u('g', 8)} as r_delay,
        ${u('g', 9)} as r_themes, ${u('g', 10)} as r_consent
      from generate_series(1, ${items}) g
    ),
    staged as (
      select d.*,
        extract(epoch from ${nowTs} - d.received_at) / 86400.0 as age_days,
        case
          when d.r_status >= least(0.75, extract(epoch from ${nowTs} - d.received_at) / 86400.0 / 40.0)
            then case when d.r_open < 0.35 then 'received' when d.r_open < 0.70 then 'in_review' else 'planned' end
          when d.kind = 'compliment' or d.r_outcome < 0.7 then 'actioned'
          else 'not_actioned'
        end as status,
        -- A close 0.5–45.5 days after receipt (median about 12), never later than 90% of the way to now.
        d.received_at + least((0.5 + 45.0 * d.r_delay * d.r_delay) * interval '1 day',
          (${nowTs} - d.received_at) * 0.9) as close_candidate
      from draws d
    ),
    closed as (
      select s.*,
        -- Actions are completed weekly per ward and theme; their items close when they do.
        case when s.status = 'actioned' then floor(extract(epoch from s.close_candidate) / 604800)::bigint end as week,
        case
          when s.status = 'actioned'
            then least(to_timestamp((floor(extract(epoch from s.close_candidate) / 604800) + 1) * 604800), ${nowTs})
          when s.status = 'not_actioned' then s.close_candidate
        end as closed_at
      from staged s
    )
    select c.g, c.id, c.ward, pg_temp.id('bench-ward-' || c.ward) as unit_id, c.received_at, c.kind, c.status, c.closed_at,
      t.code as theme1,
      case when c.r_themes < 0.55 then array[t.code]
        else array[t.code, (${textArray(themeCodes)})[1 + (c.theme1 + floor(c.r_themes * 1000)::int % ${themeCodes.length - 1}) % ${themeCodes.length}]]
      end as themes,
      case when c.status = 'received' then null else t.you_said end as you_said,
      c.r_consent < 0.6 as publish_consent,
      case c.status
        when 'received' then c.received_at
        when 'in_review' then c.received_at + (${nowTs} - c.received_at) * 0.3
        when 'planned' then c.received_at + (${nowTs} - c.received_at) * 0.3
        when 'actioned' then c.received_at + (c.closed_at - c.received_at) * 0.2
        else c.received_at + (c.closed_at - c.received_at) * 0.3
      end as in_review_at,
      case c.status
        when 'planned' then c.received_at + (${nowTs} - c.received_at) * 0.6
        when 'actioned' then c.received_at + (c.closed_at - c.received_at) * 0.5
      end as planned_at,
      case c.status
        when 'actioned' then pg_temp.id('bench-action-' || c.ward || '-' || c.theme1 || '-' || c.week)
        when 'planned' then pg_temp.id('bench-live-' || c.ward || '-' || c.theme1)
      end as action_id,
      case when c.status = 'not_actioned' then pg_temp.id('bench-decision-' || c.g) end as decision_id,
      -- About a third of the items are Friends and Family Test responses.
      case when ${u('c.g', 50)} < 0.35 then ${pick(u('c.g', 52), weights.fftRating)} end as fft_rating
    from closed c
    join seed_theme_text t on t.idx = c.theme1`,
    `insert into actions (id, unit_id, title, description, status, planned_for, owner, coproduction_level,
        lived_experience_count, outcome, completed_at, version, created_at, updated_at)
      select b.action_id, b.unit_id, t.title, 'What we are doing about it: ' || lower(t.title), b.status,
        case when b.status = 'completed' then null else (b.created_at + interval '30 days')::date end,
        'Ward manager', b.level,
        case when b.level = 'none' then 0 else 1 + floor(b.r_people * 8)::int end,
        case when b.status = 'completed' then t.outcome end,
        case when b.status = 'completed' then b.completed_at end,
        case when b.status = 'completed' then 2 else 1 end,
        b.created_at, coalesce(b.completed_at, b.created_at)
      from (
        select i.action_id, i.unit_id, min(i.theme1) as theme1,
          case when min(i.status) = 'actioned' then 'completed'
            when ${u('hashtext(i.action_id::text)', 1)} < 0.5 then 'planned' else 'in_progress' end as status,
          min(i.planned_at) as created_at,
          max(i.closed_at) as completed_at,
          ${u('hashtext(i.action_id::text)', 2)} as r_people,
          ${pick(u('hashtext(i.action_id::text)', 3), weights.coproduction)} as level
        from seed_items i where i.action_id is not null
        group by i.action_id, i.unit_id
      ) b
      join seed_theme_text t on t.code = b.theme1`,
    `insert into feedback_items (id, reference, unit_id, text, you_said, publish_consent, kind, channel, submitter_role,
        format, themes, external_system, external_id, contact, received_at, due_at, closed_at, status, version,
        created_at, updated_at, fft_rating, collection_mode, acknowledge_by, acknowledged_at)
      select i.id,
        -- A bijection of the item number onto 40 bits, written in Crockford base32: unique by construction.
        ${referenceOf('i.g')},
        i.unit_id,
        'Feedback ' || i.g || ': ' || lower(t.you_said) || '. Staff were ' || ${uniform(u('i.g', 20), words)}
          || ' and the ward felt ' || ${uniform(u('i.g', 21), words)} || '.',
        i.you_said, i.publish_consent, i.kind,
        ${pick(u('i.g', 22), weights.channel)},
        ${pick(u('i.g', 23), weights.submitterRole)},
        ${pick(u('i.g', 24), weights.format)},
        i.themes,
        case when ${u('i.g', 25)} < 0.4 then 'survey-tool' end,
        case when ${u('i.g', 25)} < 0.4 then 'S-' || i.g end,
        case when ${u('i.g', 26)} < 0.2 then jsonb_build_object('name', 'Person ' || i.g,
          'email', 'person' || i.g || '@example.org', 'wantsReply', ${u('i.g', 27)} < 0.5) end,
        i.received_at, i.received_at + interval '28 days', i.closed_at, i.status,
        case i.status when 'received' then 1 when 'in_review' then 2 when 'planned' then 3 else 4 end,
        i.received_at, coalesce(i.closed_at, i.planned_at, i.in_review_at, i.received_at),
        i.fft_rating, case when i.fft_rating is not null then ${uniform(u('i.g', 51), collectionModes)} end,
        -- What the replies triggers record: a deadline three days on, met by the first move out of received.
        i.received_at + interval '3 days', case when i.status <> 'received' then i.in_review_at end
      from seed_items i
      join seed_theme_text t on t.code = i.theme1`,
    `insert into action_feedback (action_id, feedback_id, linked_at)
      select i.action_id, i.id, i.planned_at from seed_items i where i.action_id is not null`,
    `insert into decisions (id, feedback_id, reason_code, explanation, referred_to, decided_at)
      select i.decision_id, i.id, r.code,
        (case r.code ${reasonCodes.map((code) => `when ${quote(code)} then ${quote(decisionTexts[code])}`).join(' ')} end),
        case when r.code = 'referred_elsewhere' then 'Estates team' end,
        i.closed_at
      from seed_items i, lateral (select ${pick(u('i.g', 30), weights.reason)} as code) r
      where i.status = 'not_actioned'`,
    // In time order, so transition ids follow time as they do when the service writes them.
    `insert into feedback_transitions (feedback_id, from_status, to_status, at, action_id, decision_id)
      select feedback_id, from_status, to_status, at, action_id, decision_id from (
        select id as feedback_id, null as from_status, 'received' as to_status, received_at as at,
          null::uuid as action_id, null::uuid as decision_id from seed_items
        union all
        select id, 'received', 'in_review', in_review_at, null, null from seed_items where status <> 'received'
        union all
        select id, 'in_review', 'planned', planned_at, action_id, null from seed_items where status in ('planned', 'actioned')
        union all
        select id, 'planned', 'actioned', closed_at, action_id, null from seed_items where status = 'actioned'
        union all
        select id, 'in_review', 'not_actioned', closed_at, null, decision_id from seed_items where status = 'not_actioned'
      ) t order by at`,
    // The spells the transitions trigger would write (triggers are off here), by the same function.
    `insert into feedback_status_spells (feedback_id, from_at, to_at, status, action_id)
      select * from feedback_status_spells_of(array(select id from seed_items))`,
    // The rating history the FFT trigger would write on intake (triggers are off here), in time order.
    `insert into feedback_fft_history (feedback_id, fft_rating, collection_mode, at)
      select f.id, f.fft_rating, f.collection_mode, f.received_at
      from feedback_items f where f.fft_rating is not null order by f.received_at`,
    // The report facts the items, spells and rating triggers would write, by the function the migration uses.
    `insert into feedback_facts (feedback_id, unit_id, received_at, due_at, kind, channel, submitter_role, themes,
        acknowledge_by, acknowledged_at, status, status_from, action_id, fft_rating, collection_mode, fft_at)
      select * from feedback_facts_of(array(select id from seed_items))`,
    // The panel's recommendations, one for every 200 items: a quarter still proposed when recent,
    // the rest answered after 0.5–20 days (declined with a reason, accepted, a third of those done
    // 30 days later), with the transitions the recommendation triggers would record.
    `create temp table seed_recommendations as
      select pg_temp.id('bench-recommendation-' || r) as id,
        pg_temp.id('bench-ward-' || (1 + floor(${u('r', 60)} * ${wardCount})::int)) as unit_id,
        created_at,
        case when answered_at is null then 'proposed' when ${u('r', 62)} < 0.2 then 'declined'
          when done_at is not null then 'done' else 'accepted' end as status,
        answered_at,
        case when ${u('r', 62)} >= 0.2 then done_at end as done_at
      from generate_series(1, ${Math.max(1, Math.floor(items / 200))}) r,
      lateral (select ${nowTs} - ${u('r', 61)} * interval '365 days' as created_at) c,
      lateral (select case when c.created_at + (0.5 + 19.5 * ${u('r', 63)}) * interval '1 day' < ${nowTs}
        and ${u('r', 64)} < 0.85 then c.created_at + (0.5 + 19.5 * ${u('r', 63)}) * interval '1 day' end as answered_at) a,
      lateral (select case when a.answered_at + interval '30 days' < ${nowTs} and ${u('r', 65)} < 0.4
        then a.answered_at + interval '30 days' end as done_at) d`,
    `insert into recommendations (id, unit_id, title, text, themes, status, response, created_at, responded_at,
        done_at, version, updated_at)
      select r.id, r.unit_id, 'Recommendation', 'The panel recommends that the ward looks again at this', array['food'],
        r.status, case when r.status = 'declined' then 'We cannot do this now: the budget is set for the year' end,
        r.created_at, r.answered_at, r.done_at, case r.status when 'proposed' then 1 when 'done' then 3 else 2 end,
        coalesce(r.done_at, r.answered_at, r.created_at)
      from seed_recommendations r`,
    `insert into recommendation_transitions (recommendation_id, from_status, to_status, at)
      select recommendation_id, from_status, to_status, at from (
        select id as recommendation_id, null as from_status, 'proposed' as to_status, created_at as at
          from seed_recommendations
        union all
        select id, 'proposed', case when status = 'declined' then 'declined' else 'accepted' end, answered_at
          from seed_recommendations where answered_at is not null
        union all
        select id, 'accepted', 'done', done_at from seed_recommendations where status = 'done'
      ) t order by at`,
    `drop table seed_recommendations`,
    `insert into feedback_equality (feedback_id, age_band, sex, ethnic_group, religion, disability)
      select g.id, ${[
        uniform(u('g.g', 40), eq.ageBand.options),
        uniform(u('g.g', 41), eq.sex.options),
        uniform(u('g.g', 42), eq.ethnicGroup.options),
        uniform(u('g.g', 43), eq.religion.options),
        uniform(u('g.g', 44), eq.disability.options),
      ].join(', ')}
      from seed_items g where ${u('g.g', 39)} < 0.3`,
    `set session_replication_role = origin`,
    `drop table seed_items`,
    `drop table seed_theme_text`,
    // As autovacuum would soon after a bulk load: statistics, and the visibility map index-only scans rely on.
    `vacuum analyze`,
  ];
}

/**
 * Runs the status invariant checks (the same function the deferred triggers call) on a sample of
 * items, and checks that each sampled item's last transition and current spell name its status; throws on a
 * mismatch.
 */
export async function verifySample(exec: Exec, sample = 2000): Promise<number> {
  await exec('begin');
  try {
    const [checked] = await exec(`select count(*)::int as n from (
        select feedback_check_invariants(f.id) from feedback_items f order by md5(f.id::text) limit ${sample}
      ) s`);
    const mismatched = await exec(`select f.id from (
        select id, status from feedback_items order by md5(id::text) limit ${sample}
      ) f
      cross join lateral (select t.to_status from feedback_transitions t where t.feedback_id = f.id
        order by t.at desc, t.id desc limit 1) last
      left join feedback_status_spells s on s.feedback_id = f.id and s.to_at is null
      where last.to_status <> f.status or s.status is distinct from f.status
      limit 5`);
    if (mismatched.length > 0)
      throw new Error(`seed: items whose history ends elsewhere: ${JSON.stringify(mismatched)}`);
    return Number(checked?.n ?? 0);
  } finally {
    await exec('rollback');
  }
}
