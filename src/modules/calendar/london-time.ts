/**
 * Days and months on the clocks in London, where NHS England counts them: the equity report's whole
 * days, the FFT report's months and return, and the end of the working day an acknowledgement is due.
 * London is at UTC+0 or +1 and changes at 01:00 UTC, never at midnight, so a London midnight is at
 * 00:00 or 23:00 UTC.
 */
const londonDate = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** `YYYY-MM-DD HH:mm` of an instant on the clocks in London. */
function londonClock(instant: number): string {
  const part = Object.fromEntries(londonDate.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`;
}

// London's offset is a whole number of hours and changes on the hour, so a UTC hour has one London
// date: the last one is kept, since intake asks for the same hour's date for every item it records.
let lastHour = Number.NaN;
let lastDate = '';

/** The date on the calendars in London at an instant, `YYYY-MM-DD`. */
export function londonDateOf(instant: Date | number): string {
  const ms = new Date(instant).getTime();
  const hour = Math.floor(ms / 3_600_000);
  if (hour !== lastHour) {
    lastDate = londonClock(ms).slice(0, 10);
    lastHour = hour;
  }
  return lastDate;
}

/** 00:00 Europe/London on the day (in London) of `date`. */
export function startOfLondonDay(date: Date): Date {
  const day = londonDateOf(date);
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  const midnight = [utcMidnight, utcMidnight - 3_600_000].find((c) => londonClock(c) === `${day} 00:00`);
  return new Date(midnight ?? utcMidnight);
}

/** 00:00 Europe/London on the calendar date `YYYY-MM-DD` (noon UTC is on that date in London). */
export const londonMidnight = (date: string): Date => startOfLondonDay(new Date(`${date}T12:00:00Z`));

/** The last millisecond of the London calendar date `YYYY-MM-DD`: the next day's midnight less 1 ms. */
export function endOfLondonDay(date: string): Date {
  const nextDay = new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000);
  return new Date(startOfLondonDay(nextDay).getTime() - 1);
}

/** The instants a London calendar month `YYYY-MM` runs between: [its first midnight, the next month's). */
export function londonMonth(month: string): { from: Date; to: Date } {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  const next = monthNumber === 12 ? `${year + 1}-01` : `${year}-${String(monthNumber + 1).padStart(2, '0')}`;
  return { from: londonMidnight(`${month}-01`), to: londonMidnight(`${next}-01`) };
}
