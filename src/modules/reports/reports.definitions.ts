/**
 * The exact meaning of every report figure, written once: used in the OpenAPI descriptions and
 * copied into docs/reports.md and the README. Change the SQL in reports.repository.ts and this
 * text together.
 */
export const closureDefinitions = `**Which items count.** The population is the feedback items whose \`receivedAt\` is in \`[from, to)\` and not after \`asOf\`, about the unit \`unitId\` or any unit below it (default: everything the key may see), and matching every filter given (\`kind\`, \`channel\`, \`theme\` — the item carries that theme —, \`submitterRole\`). \`from\` defaults to 12 months before \`to\`, \`to\` to \`asOf\`, \`asOf\` to now. Times are instants (ISO 8601 with an offset; a bare date means midnight UTC).

**Status at \`asOf\`.** Each item's status is rebuilt from its recorded status history: the status it moved to in its last transition at or before \`asOf\` (transitions at the same instant are taken in the order they were recorded); \`received\` if none. Today's status is not used, so a report re-run later with the same \`asOf\` gives the same figures. An item closed and then reopened before \`asOf\` is open; an item closed after \`asOf\` is open.

**Counts.** \`received\`: items in the population. \`closed\`: those whose status at \`asOf\` is \`actioned\` or \`not_actioned\`; \`actioned\` and \`notActioned\` split them. \`open\` = \`received\` − \`closed\`. \`overdue\`: open items whose \`dueAt\` is before \`asOf\`.

**Closing time and days to close.** The closing time of a closed item is the time of its last transition at or before \`asOf\` (the one that closed it, after any reopening). Days to close = (closing time − \`receivedAt\`) in days, as a decimal (a day is 86,400 seconds; no rounding of each item).

**Rates** are fractions between 0 and 1, not percentages, and are \`null\` (never 0) when their denominator is 0. \`closureRate\` = \`closed\` ÷ \`received\`. \`closedWithinTargetRate\` = closed items whose closing time is at or before their \`dueAt\` ÷ \`closed\`. \`coproducedShare\` = items actioned at \`asOf\` whose closing action (the action recorded on the closing transition) is at the \`co_producing\` rung of the co-production ladder ÷ items actioned at \`asOf\`; the rung is the action's current one.

**Percentiles.** \`medianDaysToClose\` and \`p90DaysToClose\` are the 0.5 and 0.9 continuous percentiles (PostgreSQL \`percentile_cont\`, linear interpolation between the two nearest values: for n sorted values the p-th percentile sits at position 1 + p × (n − 1)) of the days to close of the closed items, rounded to 2 decimals; \`null\` when nothing is closed.

**Groups.** \`groupBy=unit\`: the unit the item is about (each group carries \`unitCode\` and \`unitName\`). \`kind\`, \`channel\`, \`submitterRole\`: the item's value, \`not_recorded\` when it has none. \`month\`: the UTC calendar month of \`receivedAt\`, as \`YYYY-MM\`. \`theme\`: an item counts once in each of its themes' groups (items without a theme under \`not_recorded\`), so theme groups can add up to more than the totals; the totals always count each item once.

**CSV.** With \`Accept: text/csv\` or \`format=csv\` the answer is RFC 4180 CSV (UTF-8, CRLF line ends, a header row: \`key\`, for units \`unitCode\` and \`unitName\`, then the figures in the order above): one row per group with \`groupBy\`; without it, the figures alone and one row of totals. Empty cells are nulls; rates are fractions with full precision.`;

export const themesDefinitions = `Items are counted as in the closure report (same population rules, filters and \`asOf\` rebuild), per theme and per UTC calendar month of \`receivedAt\`; an item with several themes counts in each. The report works in whole months: it shows the months from the month of \`from\` to the month of the earlier of \`to\` and \`asOf\` (that last month may be partial), and also reads the calendar month before the first so the first month has a comparison. \`closed\`: of the month's items, those closed at \`asOf\`; \`closedShare\` = \`closed\` ÷ \`received\`. \`previousReceived\`: items with the same theme received in the calendar month before; \`change\` = \`received\` − \`previousReceived\`; \`changeRatio\` = \`received\` ÷ \`previousReceived\` (null when that is 0). A theme with items the month before and none this month is listed with \`received\` 0, so falls show as well as rises. Rows are ordered by month, then largest rise first.`;

export const equityDefinitions = `Closure figures (as defined for \`GET /v1/reports/closure\`: same population, filters and \`asOf\` rebuild) broken down by the answer to one equality-monitoring question (\`characteristic\`). Each answer, including \`prefer_not_to_say\`, is a group; items with no answer are in \`not_recorded\`. Answers are only ever reported in aggregate.

**Small numbers are suppressed.** A figure is withheld (\`null\`, with \`suppressed: true\` on its row) when it counts fewer than 5 people (0 included):
1. \`received\` < 5: the whole row is withheld.
2. \`closed\` < 5: \`closed\`, \`closureRate\`, \`closedWithinTargetRate\` and \`medianDaysToClose\` are withheld.
3. Fewer than 5 items closed within target: \`closedWithinTargetRate\` is withheld.
4. Secondary suppression, so that a withheld count cannot be worked out as the total minus the shown groups: in each column that adds up to a shown total (\`received\`, then \`closed\`), if exactly one group is withheld, the smallest shown group in that column (ties: the first by key) is withheld too, with everything derived from it (for \`received\`, its whole row; for \`closed\`, as in rule 2). If there is no other group to withhold, the total of that column is withheld instead.
The totals row follows rules 1–3 itself.`;
