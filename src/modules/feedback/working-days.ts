import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type Holidays from 'date-holidays';
import type HolidaysParser from 'date-holidays-parser';
import { endOfLondonDay, londonDateOf } from '../calendar/london-time.js';

/**
 * The working-day clock of acknowledgements (NHS complaints regulations 2009: within 3 working
 * days). Working days are Monday to Friday in London, except England and Wales bank holidays, taken
 * from the maintained date-holidays calendar (GB, England: Wales keeps the same days), never a list
 * typed in here.
 *
 * date-holidays' own entry point holds every country's rules in memory; its parser is given the
 * calendar's rules for GB alone, read from the package's data (3 MB less heap held for good).
 */
let calendar: Holidays | undefined;
// Loaded on the first deadline, not at start-up (the parser's CommonJS build, loaded synchronously:
// about a quarter of a second of CPU, more for its ES build).
function londonCalendar(): Holidays {
  if (!calendar) {
    const require = createRequire(import.meta.url);
    const { default: Parser } = require('date-holidays-parser') as { default: typeof HolidaysParser };
    const data = JSON.parse(
      readFileSync(join(dirname(require.resolve('date-holidays/package.json')), 'data', 'holidays.json'), 'utf8'),
    );
    const gb = { version: data.version, license: data.license, holidays: { GB: data.holidays.GB }, names: data.names };
    calendar = new Parser(gb, 'GB', 'ENG', { timezone: 'Europe/London' });
  }
  return calendar;
}
const bankHolidayTypes: readonly string[] = ['public', 'bank'];
const bankHolidaysByYear = new Map<number, ReadonlySet<string>>();

/** The bank holidays of a year as London dates `YYYY-MM-DD` (substitute days included). */
function bankHolidays(year: number): ReadonlySet<string> {
  let days = bankHolidaysByYear.get(year);
  if (!days) {
    const holidays = londonCalendar()
      .getHolidays(year)
      .filter((holiday) => bankHolidayTypes.includes(holiday.type));
    // `date` is the local (London) date and time the holiday starts, e.g. `2026-12-28 00:00:00`.
    days = new Set(holidays.map((holiday) => holiday.date.slice(0, 10)));
    bankHolidaysByYear.set(year, days);
  }
  return days;
}

/** A London date `YYYY-MM-DD` as UTC midnight of that date: plain calendar arithmetic, no offsets. */
const civilDay = (date: string): Date => new Date(`${date}T00:00:00Z`);
const civilDate = (day: Date): string => day.toISOString().slice(0, 10);

function isWorkingDay(day: Date): boolean {
  const weekday = day.getUTCDay();
  return weekday !== 0 && weekday !== 6 && !bankHolidays(day.getUTCFullYear()).has(civilDate(day));
}

/** Deadlines by London date of receipt and working days: a batch received today shares one. */
const deadlines = new Map<string, Date>();
const maxDeadlines = 1_000;

/**
 * When an item received at `receivedAt` must be acknowledged: the end (London time) of the
 * `workingDays`-th working day after the London date of receipt. The day of receipt never counts,
 * whatever the hour, and a receipt on a weekend or bank holiday counts from the next working day.
 */
export function acknowledgeByFor(receivedAt: Date, workingDays: number): Date {
  const received = londonDateOf(receivedAt);
  const key = `${received} ${workingDays}`;
  const known = deadlines.get(key);
  if (known) return new Date(known);
  const day = civilDay(received);
  for (let counted = 0; counted < workingDays; ) {
    day.setUTCDate(day.getUTCDate() + 1);
    if (isWorkingDay(day)) counted += 1;
  }
  const deadline = endOfLondonDay(civilDate(day));
  if (deadlines.size >= maxDeadlines) deadlines.clear();
  deadlines.set(key, deadline);
  return new Date(deadline);
}
