import Holidays from 'date-holidays';

/**
 * The working-day clock of acknowledgements (NHS complaints regulations 2009: within 3 working
 * days). Working days are Monday to Friday in London, except England and Wales bank holidays, taken
 * from the maintained date-holidays calendar (GB, England: Wales keeps the same days), never a list
 * typed in here.
 */
const calendar = new Holidays('GB', 'ENG', { timezone: 'Europe/London' });
const bankHolidayTypes: readonly string[] = ['public', 'bank'];
const bankHolidaysByYear = new Map<number, ReadonlySet<string>>();

/** The bank holidays of a year as London dates `YYYY-MM-DD` (substitute days included). */
function bankHolidays(year: number): ReadonlySet<string> {
  let days = bankHolidaysByYear.get(year);
  if (!days) {
    const holidays = calendar.getHolidays(year).filter((holiday) => bankHolidayTypes.includes(holiday.type));
    // `date` is the local (London) date and time the holiday starts, e.g. `2026-12-28 00:00:00`.
    days = new Set(holidays.map((holiday) => holiday.date.slice(0, 10)));
    bankHolidaysByYear.set(year, days);
  }
  return days;
}

// en-CA writes dates as YYYY-MM-DD.
const londonDateFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The date on the calendars in London at an instant, `YYYY-MM-DD`. */
export const londonDateOf = (instant: Date | number): string => londonDateFormat.format(instant);

/** A London date `YYYY-MM-DD` as UTC midnight of that date: plain calendar arithmetic, no offsets. */
const civilDay = (date: string): Date => new Date(`${date}T00:00:00Z`);
const civilDate = (day: Date): string => day.toISOString().slice(0, 10);

function isWorkingDay(day: Date): boolean {
  const weekday = day.getUTCDay();
  return weekday !== 0 && weekday !== 6 && !bankHolidays(day.getUTCFullYear()).has(civilDate(day));
}

/**
 * The last millisecond of a London date. London is at UTC+0 or +1 and changes at 01:00 UTC, never at
 * midnight, so the next day starts at 00:00 or 23:00 UTC: the earlier of those that is already that day.
 */
function endOfLondonDay(date: string): Date {
  const next = new Date(civilDay(date).getTime() + 86_400_000);
  const nextDate = civilDate(next);
  const summerStart = next.getTime() - 3_600_000;
  const start = londonDateOf(summerStart) === nextDate ? summerStart : next.getTime();
  return new Date(start - 1);
}

/**
 * When an item received at `receivedAt` must be acknowledged: the end (London time) of the
 * `workingDays`-th working day after the London date of receipt. The day of receipt never counts,
 * whatever the hour, and a receipt on a weekend or bank holiday counts from the next working day.
 */
export function acknowledgeByFor(receivedAt: Date, workingDays: number): Date {
  const day = civilDay(londonDateOf(receivedAt));
  for (let counted = 0; counted < workingDays; ) {
    day.setUTCDate(day.getUTCDate() + 1);
    if (isWorkingDay(day)) counted += 1;
  }
  return endOfLondonDay(civilDate(day));
}
