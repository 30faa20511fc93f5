/** A CSV cell value; null and undefined become an empty cell. */
export type CsvValue = string | number | boolean | null | undefined;

// A leading =, +, - or @ would make a spreadsheet run the cell as a formula (CSV injection).
const formulaStart = /^[=+\-@\t\r]/;

function cell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = formulaStart.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * RFC 4180 CSV: a header row, then one line per row, CRLF line ends; fields holding a comma, quote or
 * line break are quoted with quotes doubled. Text that a spreadsheet would read as a formula is
 * prefixed with an apostrophe.
 */
export function toCsv(columns: readonly string[], rows: readonly Record<string, CsvValue>[]): string {
  const lines = [columns.map(cell).join(',')];
  for (const row of rows) lines.push(columns.map((column) => cell(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
