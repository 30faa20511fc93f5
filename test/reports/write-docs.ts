/** Rewrites docs/reports.md from the definitions: `node --import tsx test/reports/write-docs.ts`. */
import { writeFileSync } from 'node:fs';
import {
  closureDefinitions,
  equityDefinitions,
  fftDefinitions,
  fftReturnDefinitions,
  recommendationsDefinitions,
  themesDefinitions,
} from '../../src/modules/reports/reports.definitions.js';

const doc = `# Reports: exact definitions

This text is the same as the OpenAPI descriptions of the report endpoints (it comes from
\`src/modules/reports/reports.definitions.ts\`; \`test/reports/definitions.test.ts\` fails when the two differ).

## Closure report — \`GET /v1/reports/closure\` (auditor, staff, admin)

${closureDefinitions}

## Themes report — \`GET /v1/reports/themes\` (auditor, staff, admin)

${themesDefinitions}

## Equity report — \`GET /v1/reports/equity?characteristic=…\` (auditor, admin)

${equityDefinitions}

### Why counts are rounded: the differencing attack it stops

An auditor may ask for any period and filters, so suppression that holds for one report must hold
for the difference of any two. Before this rule, counts of 5 or more were shown exactly and
periods were accepted to the millisecond. Take a ward where 7 people who gave \`black_african\`
as their ethnic group had feedback received in March, one of them on 20 March at 14:02:

| report | period | \`black_african\` shown then | shown now |
| --- | --- | --- | --- |
| A | 1 March – 1 April | 7 | withheld (7 ≤ 7) |
| B | 1 March – 20 March 14:02 | 6 | withheld, and the period is 1 March – 20 March 00:00 |

A − B was 1, so the one person whose feedback arrived at 14:02 (whose time the auditor can read on
the item) had answered \`black_african\`. Now both cells are withheld, and periods can only be cut at
London midnight. The same holds for large groups: 23 and 24 are both shown as 25, so the difference
of two reports is 0, not one person; totals are rounded the same way, so the total minus the shown
groups leaves an uncertainty of at least ±2 per figure, never one count.

**What rounding does not stop on its own.** When a group's count sits just below a rounding boundary
(7 → 8, 12 → 13, 17 → 18 …) one more item does move its shown figure (withheld → 10, 10 → 15), so
a pair of reports differing by one day that holds one item can still show that item's group, for
about one pair in five. An auditor would need several carefully chosen queries to find such a pair,
which is why every equity query is written to the audit trail (\`entityType\` \`report\`, \`entityId\`
\`equity\`) for governance to review; the rule is the one NHS Hospital Episode Statistics publish
under, not a guarantee against unlimited querying.

### The other reports

The closure and themes reports carry no equality answers: their groups (unit, theme, channel, kind,
submitter role, month) and filters describe the feedback, not the person, and every figure in them is
a count of items whose unit, dates, classification and status the same keys (auditor, staff) can
already read one by one from \`GET /v1/feedback\`. Differencing them reveals nothing a key cannot
read directly, so they are shown exactly. An equality answer reaches a report only through the
equity report, where the rule above applies to every figure.

## Friends and Family Test report — \`GET /v1/reports/fft\` (auditor, staff, admin)

${fftDefinitions}

## Friends and Family Test monthly return — \`GET /v1/reports/fft/return?month=YYYY-MM\` (auditor, admin)

${fftReturnDefinitions}

## Lived-experience panel report — \`GET /v1/reports/recommendations\` (auditor, staff, admin)

${recommendationsDefinitions}
`;
writeFileSync('docs/reports.md', doc);
