import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { PROSPECT_CSV_COLUMNS, type ProspectCsvRow, prospectsToCsv, safeCell } from "./csv";

const row = (over: Partial<ProspectCsvRow> = {}): ProspectCsvRow => ({
  personId: "p1",
  name: "Ada Lovelace",
  email: "ada@home.test",
  status: "failed",
  reason: "null_email",
  stageIndex: 0,
  stageCount: 2,
  nextAt: null,
  updatedAt: Date.parse("2026-01-20T10:00:00Z"),
  ...over,
});

function parse(csv: string): string[][] {
  return Papa.parse<string[]>(csv.trim(), { header: false }).data;
}

describe("prospectsToCsv", () => {
  it("writes the header and one row per prospect with labels and ISO times", () => {
    const rows = parse(
      prospectsToCsv([
        row(),
        row({
          personId: "p2",
          status: "active",
          reason: null,
          stageIndex: 1,
          nextAt: Date.parse("2026-01-21T09:00:00Z"),
        }),
        row({ personId: "p3", status: "complete", reason: "completed", stageIndex: 2 }),
      ]),
    );
    expect(rows[0]).toEqual([...PROSPECT_CSV_COLUMNS]);
    expect(rows[1]).toEqual([
      "p1",
      "Ada Lovelace",
      "ada@home.test",
      "Failed",
      "null_email",
      "No email address that this stage may use (its email priority allows only personal/work addresses)",
      "1 of 2",
      "",
      "2026-01-20T10:00:00.000Z",
    ]);
    expect(rows[2].slice(3, 8)).toEqual(["Active", "", "", "2 of 2", "2026-01-21T09:00:00.000Z"]);
    expect(rows[3][6]).toBe("All done");
  });

  it("quotes commas, quotes and line breaks so they survive a round trip", () => {
    const name = 'Lovelace, Ada "the Countess"\nof Lovelace';
    expect(parse(prospectsToCsv([row({ name })]))[1][1]).toBe(name);
  });

  it("neutralises cells a spreadsheet would run as formulas", () => {
    const rows = parse(
      prospectsToCsv([row({ name: '=HYPERLINK("http://evil")', email: "@x", personId: "+1" })]),
    );
    expect(rows[1][0]).toBe("'+1");
    expect(rows[1][1]).toBe('\'=HYPERLINK("http://evil")');
    expect(rows[1][2]).toBe("'@x");
  });

  it("can start with a byte-order mark for Excel", () => {
    expect(prospectsToCsv([], { bom: true }).startsWith("\uFEFFPerson ID,")).toBe(true);
  });
});

describe("safeCell", () => {
  it("prefixes formula starts, even after blanks or on a multi-line value", () => {
    expect(safeCell("-2+3")).toBe("'-2+3");
    expect(safeCell("  =1+1")).toBe("'  =1+1");
    expect(safeCell("=1\n+2")).toBe("'=1\n+2");
    expect(safeCell("\tx")).toBe("'\tx");
  });

  it("leaves ordinary values alone", () => {
    expect(safeCell("Ada")).toBe("Ada");
    expect(safeCell("a=b")).toBe("a=b");
    expect(safeCell("")).toBe("");
  });
});
