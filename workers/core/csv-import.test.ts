import { describe, expect, it } from "vitest";
import {
  type CsvField,
  chunkRows,
  fileTooBig,
  guessField,
  guessMapping,
  lineRange,
  mappingProblems,
  parseCsv,
  rowToPersonInput,
  splitFullName,
  validateRow,
  validateRows,
} from "./csv-import";

const MAPPING: CsvField[] = ["firstName", "lastName", "workEmail", "phone", "timeZone"];

describe("guessing the mapping from headers", () => {
  it.each([
    ["First Name", "firstName"],
    ["first_name", "firstName"],
    ["Surname", "lastName"],
    ["Name", "fullName"],
    ["E-mail Address", "email"],
    ["Work Email", "workEmail"],
    ["Personal email", "personalEmail"],
    ["Mobile", "phone"],
    ["Time zone", "timeZone"],
    ["Company", "ignore"],
  ] as const)("reads %s as %s", (header, field) => {
    expect(guessField(header)).toBe(field);
  });

  it("maps a single-valued field to its first column only", () => {
    expect(guessMapping(["First name", "Given name", "Email", "E-mail"])).toEqual([
      "firstName",
      "ignore",
      "email",
      "email",
    ]);
  });
});

describe("mapping problems", () => {
  it("asks for a first name column", () => {
    expect(mappingProblems(["lastName", "email"])).toEqual([
      "Choose the column that holds the first name (or the full name)",
    ]);
  });
  it("refuses a single-valued field on two columns", () => {
    expect(mappingProblems(["firstName", "firstName"])[0]).toContain("First name is chosen for 2");
  });
  it("accepts a full name instead of a first name", () => {
    expect(mappingProblems(["fullName", "workEmail", "personalEmail"])).toEqual([]);
  });
});

describe("splitFullName", () => {
  it("splits at the first space", () => {
    expect(splitFullName("Jane van  Doe")).toEqual({ firstName: "Jane", lastName: "van Doe" });
  });
  it("reads 'Last, First'", () => {
    expect(splitFullName("Doe, Jane")).toEqual({ firstName: "Jane", lastName: "Doe" });
  });
  it("keeps a single name as the first name", () => {
    expect(splitFullName("Cher")).toEqual({ firstName: "Cher" });
  });
});

describe("rowToPersonInput", () => {
  it("types emails by their column and skips empty cells", () => {
    expect(
      rowToPersonInput(
        ["Ada", "", "a@w.com", "a@p.com"],
        ["firstName", "lastName", "workEmail", "email"],
      ),
    ).toEqual({
      firstName: "Ada",
      emails: [
        { address: "a@w.com", type: "work" },
        { address: "a@p.com", type: "personal" },
      ],
    });
  });
  it("splits a cell holding several addresses", () => {
    expect(rowToPersonInput(["Ada", "a@x.com; b@y.com"], ["firstName", "email"]).emails).toEqual([
      { address: "a@x.com", type: "personal" },
      { address: "b@y.com", type: "personal" },
    ]);
  });
  it("lets explicit first/last name columns win over a full name", () => {
    expect(rowToPersonInput(["Jane Doe", "Janet"], ["fullName", "firstName"])).toEqual({
      firstName: "Janet",
      lastName: "Doe",
    });
  });
  it("ignores columns mapped to ignore", () => {
    expect(rowToPersonInput(["Ada", "ACME"], ["firstName", "ignore"])).toEqual({
      firstName: "Ada",
    });
  });
});

describe("validateRow", () => {
  it("accepts a good row as a PersonInput", () => {
    const r = validateRow(
      {
        line: 2,
        cells: ["Ada", "Lovelace", "ada@example.com", "+44 20 7946 0000", "Europe/London"],
      },
      MAPPING,
    );
    expect(r).toEqual({
      ok: true,
      person: {
        firstName: "Ada",
        lastName: "Lovelace",
        emails: [{ address: "ada@example.com", type: "work" }],
        phones: [{ number: "+44 20 7946 0000", type: "mobile" }],
        timeZone: "Europe/London",
      },
    });
  });
  it("names the email field, its reason and the value", () => {
    const r = validateRow({ line: 7, cells: ["Ada", "L", "bob@", "", ""] }, MAPPING);
    expect(r).toEqual({
      ok: false,
      error: { line: 7, reason: 'emails.0.address: Invalid email address ("bob@")' },
    });
  });
  it("names firstName when the first name is empty", () => {
    const r = validateRow({ line: 3, cells: ["", "Lovelace", "", "", ""] }, MAPPING);
    expect(r.ok ? "" : r.error.reason).toMatch(/^firstName: /);
  });
  it("names timeZone when it is unknown", () => {
    const r = validateRow({ line: 4, cells: ["Ada", "", "", "", "Moon/Base"] }, MAPPING);
    expect(r.ok ? "" : r.error.reason).toMatch(/^timeZone: Unknown time zone/);
  });
  it("refuses a row with more values than the header has columns", () => {
    const r = validateRow({ line: 5, cells: ["Ada", "L", "", "", "", "extra"] }, MAPPING);
    expect(r.ok ? "" : r.error.reason).toBe("has 6 values but the header names 5 columns");
  });
  it("accepts extra cells that are empty (trailing commas)", () => {
    expect(validateRow({ line: 5, cells: ["Ada", "L", "", "", "", " "] }, MAPPING).ok).toBe(true);
  });
  it("reports a row papaparse could not read", () => {
    const r = validateRow({ line: 9, cells: ["Ada"], parseError: "a quoted value is not closed" }, [
      "firstName",
    ]);
    expect(r).toEqual({ ok: false, error: { line: 9, reason: "a quoted value is not closed" } });
  });
  it("separates good rows from bad ones in order", () => {
    const { people, errors } = validateRows(
      [
        { line: 2, cells: ["A"] },
        { line: 3, cells: [""] },
        { line: 4, cells: ["C"] },
      ],
      ["firstName"],
    );
    expect(people.map((p) => p.firstName)).toEqual(["A", "C"]);
    expect(errors.map((e) => e.line)).toEqual([3]);
  });
});

describe("parseCsv line numbers", () => {
  it("numbers the first data row 2", () => {
    const { headers, rows } = parseCsv("first,last\nAda,Lovelace\nAlan,Turing\n");
    expect(headers).toEqual(["first", "last"]);
    expect(rows).toEqual([
      { line: 2, cells: ["Ada", "Lovelace"] },
      { line: 3, cells: ["Alan", "Turing"] },
    ]);
  });
  it("counts skipped blank lines", () => {
    const { rows } = parseCsv("first\n\nAda\n  \n\nAlan");
    expect(rows.map((r) => r.line)).toEqual([3, 6]);
  });
  it("numbers a row by the line it starts on and counts its quoted line breaks", () => {
    const { rows } = parseCsv('first,note\nAda,"two\nlines"\nAlan,x\n');
    expect(rows.map((r) => [r.line, r.cells[1]])).toEqual([
      [2, "two\nlines"],
      [4, "x"],
    ]);
  });
  it("handles CRLF files", () => {
    const { rows } = parseCsv('first\r\nAda\r\n\r\n"Al\r\nan"\r\nBo\r\n');
    expect(rows.map((r) => r.line)).toEqual([2, 4, 6]);
  });
  it("ignores a byte-order mark", () => {
    expect(parseCsv("\uFEFFfirst\nAda\n").headers).toEqual(["first"]);
  });
  it("keeps values past the header's columns so the row can be refused", () => {
    expect(parseCsv("a,b\n1,2,3\n").rows[0].cells).toEqual(["1", "2", "3"]);
  });
  it("reads missing trailing values as empty", () => {
    expect(parseCsv("a,b,c\n1\n").rows[0].cells).toEqual(["1", "", ""]);
  });
  it("flags an unclosed quote", () => {
    const { rows } = parseCsv('a,b\n1,"open\n');
    expect(rows[0].parseError).toContain("not closed");
  });
  it("stops past the row limit and says so", () => {
    const r = parseCsv("a\n1\n2\n3\n", 2);
    expect(r.rows.length).toBe(2);
    expect(r.tooManyRows).toBe(true);
  });
  it("does not flag a file exactly at the limit", () => {
    expect(parseCsv("a\n1\n2\n", 2).tooManyRows).toBe(false);
  });
});

describe("chunks and limits", () => {
  it("chunks rows in file order", () => {
    expect(chunkRows([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
  it("refuses a file over 10 MB", () => {
    expect(fileTooBig(10 * 1024 * 1024 + 1)).toContain("up to 10 MB");
    expect(fileTooBig(10 * 1024 * 1024)).toBeNull();
  });
  it("describes a chunk's lines", () => {
    expect(lineRange([{ line: 2 }, { line: 501 }])).toBe("lines 2–501");
  });
});
