// RFC 4180 text of CSV records: a cell is quoted when it holds a quote, a
// comma, CR or LF (quotes doubled inside), records end with CRLF. The text
// csv-stringify wrote for the exports, except that a lone CR or LF is
// quoted too (csv-text.test.ts holds the two together); written out here
// because csv-stringify's per-cell options cost 2.1 s of a million-row
// export, this 0.7 s.

const NEEDS_QUOTES = /[",\r\n]/;

/** One cell as CSV text. */
export function csvCell(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** `records` as CSV text, each line ended by CRLF. */
export function csvText(records: readonly (readonly string[])[]): string {
  let text = "";
  for (const record of records) {
    for (let i = 0; i < record.length; i += 1) {
      if (i > 0) text += ",";
      text += csvCell(record[i] as string);
    }
    text += "\r\n";
  }
  return text;
}
