// The checks every fleet CSV download passes, for the export route tests.
import { parse } from "csv-parse/sync";
import { expect } from "vitest";

/**
 * Expects a CSV attachment named `<name>-YYYY-MM-DD.csv` whose first line is
 * `header`, and returns its rows keyed by column.
 */
export async function csvAttachmentRows(
  response: Response,
  name: string,
  header: string,
): Promise<Record<string, string>[]> {
  expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(response.headers.get("content-disposition")).toMatch(
    new RegExp(`^attachment; filename="${name}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`),
  );
  const text = await response.text();
  expect(text.split("\r\n")[0]).toBe(header);
  return parse<Record<string, string>>(text, { columns: true });
}
