// csvText: csv-parse reads back the cells of any records (quotes, commas,
// CR, LF, empty cells and any Unicode among them), and the text is what
// csv-stringify (the library the exports used before) writes, but for cells
// holding a line break: csv-stringify with a CRLF record delimiter left a
// lone LF or CR unquoted, which split the record for every reader.
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/support/runs";
import { csvText } from "./csv-text";

const cell = fc.oneof(
  fc.string({ unit: fc.constantFrom('"', ",", "\r", "\n", "a", " ", "'", "=") }),
  fc.string({ unit: "grapheme" }),
  fc.constant(""),
);

describe("csvText", () => {
  it("equals csv-stringify's text and parses back to the cells", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 6 })
          .chain((width) =>
            fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 5 }),
          ),
        (records) => {
          const text = csvText(records);
          if (!records.some((r) => r.some((c) => /[\r\n]/.test(c))))
            expect(text).toBe(stringify(records, { record_delimiter: "\r\n" }));
          // A record of one empty cell is an empty line, which a reader skips.
          const readable = records.filter((r) => !(r.length === 1 && r[0] === ""));
          if (readable.length === records.length)
            expect(parse(text, { relax_column_count: true })).toEqual(records);
        },
      ),
      { numRuns: runs(500) },
    );
  });

  it("quotes only the cells that need it", () => {
    expect(csvText([["a", 'say "hi"', "x,y", "l1\nl2", ""]])).toBe(
      'a,"say ""hi""","x,y","l1\nl2",\r\n',
    );
  });
});
