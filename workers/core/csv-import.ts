import Papa from "papaparse";
import { z } from "zod";
import { type PersonInput, PersonInputSchema } from "./people";

// Browser-safe: the import page parses, maps and chunks with these; the server re-validates
// every row with the same functions, so the page and the tests share one code path.

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_ROWS = 50_000;
export const CHUNK_ROWS = 500;

export const CSV_FIELDS = [
  "ignore",
  "firstName",
  "lastName",
  "fullName",
  "email",
  "personalEmail",
  "workEmail",
  "phone",
  "timeZone",
] as const;
export type CsvField = (typeof CSV_FIELDS)[number];

export const CSV_FIELD_LABELS: Record<CsvField, string> = {
  ignore: "Ignore this column",
  firstName: "First name",
  lastName: "Last name",
  fullName: "Full name (split into first and last)",
  email: "Email (personal)",
  personalEmail: "Personal email",
  workEmail: "Work email",
  phone: "Phone",
  timeZone: "Time zone",
};

/** Fields a person has once; the email and phone fields may come from several columns. */
const SINGLE_FIELDS: readonly CsvField[] = ["firstName", "lastName", "fullName", "timeZone"];

const HEADER_GUESSES: [CsvField, string[]][] = [
  ["firstName", ["firstname", "first", "givenname", "forename", "fname"]],
  ["lastName", ["lastname", "last", "surname", "familyname", "lname"]],
  ["fullName", ["name", "fullname", "contactname", "candidatename", "displayname"]],
  ["personalEmail", ["personalemail", "homeemail", "privateemail", "personalemailaddress"]],
  ["workEmail", ["workemail", "businessemail", "companyemail", "officeemail", "workemailaddress"]],
  ["email", ["email", "emailaddress", "mail", "e-mail", "emails"]],
  [
    "phone",
    ["phone", "phonenumber", "mobile", "mobilephone", "cell", "cellphone", "tel", "telephone"],
  ],
  ["timeZone", ["timezone", "tz", "zone", "timezonename"]],
];

/** The field a column header most likely holds ("E-mail Address" → email), else ignore. */
export function guessField(header: string): CsvField {
  const key = header.toLowerCase().replace(/[^a-z]/g, "");
  for (const [field, names] of HEADER_GUESSES) {
    if (names.some((n) => n.replace(/[^a-z]/g, "") === key)) return field;
  }
  return "ignore";
}

/** A guessed field per column; a single-valued field goes to its first matching column only. */
export function guessMapping(headers: readonly string[]): CsvField[] {
  const taken = new Set<CsvField>();
  return headers.map((h) => {
    const field = guessField(h);
    if (SINGLE_FIELDS.includes(field)) {
      if (taken.has(field)) return "ignore";
      taken.add(field);
    }
    return field;
  });
}

/** One field per CSV column: at least a first name (or full name), single fields once. */
export const MappingSchema = z
  .array(z.enum(CSV_FIELDS, { error: "Unknown field" }))
  .min(1, "The file has no columns")
  .max(500, "At most 500 columns")
  .superRefine((mapping, ctx) => {
    for (const field of SINGLE_FIELDS) {
      const n = mapping.filter((f) => f === field).length;
      if (n > 1) {
        ctx.addIssue({
          code: "custom",
          message: `${CSV_FIELD_LABELS[field]} is chosen for ${n} columns; choose it for one`,
        });
      }
    }
    if (!mapping.includes("firstName") && !mapping.includes("fullName")) {
      ctx.addIssue({
        code: "custom",
        message: "Choose the column that holds the first name (or the full name)",
      });
    }
  });
export type Mapping = z.infer<typeof MappingSchema>;

/** What is wrong with a mapping, in words; [] when it can be imported. */
export function mappingProblems(mapping: readonly CsvField[]): string[] {
  const r = MappingSchema.safeParse(mapping);
  return r.success ? [] : r.error.issues.map((i) => i.message);
}

/** A data row: its line in the file (header = line 1) and its values in column order. */
export const CsvRowSchema = z.object({
  line: z.number().int().min(2),
  cells: z.array(z.string().max(10_000, "A value is over 10,000 characters")).max(1_000),
  /** Set when papaparse could not read the row (e.g. an unclosed quote). */
  parseError: z.string().max(300).optional(),
});
export type CsvRow = z.infer<typeof CsvRowSchema>;

export const ImportStartSchema = z.object({
  fileName: z.string().trim().min(1, "Name the file").max(255, "At most 255 characters"),
  totalRows: z
    .number()
    .int()
    .min(1, "The file has no data rows")
    .max(MAX_ROWS, `At most ${MAX_ROWS.toLocaleString("en-US")} rows per file`),
});
export type ImportStart = z.infer<typeof ImportStartSchema>;

export const ImportChunkSchema = z.object({
  importId: z.string().min(1).max(64),
  chunkIndex: z
    .number()
    .int()
    .min(0)
    .max(Math.ceil(MAX_ROWS / CHUNK_ROWS) - 1),
  mapping: MappingSchema,
  rows: z.array(CsvRowSchema).min(1).max(CHUNK_ROWS, `At most ${CHUNK_ROWS} rows per chunk`),
});
export type ImportChunk = z.infer<typeof ImportChunkSchema>;

/** The body the import page posts: start an import, or send one chunk of it. */
export const ImportRequestSchema = z.discriminatedUnion("op", [
  ImportStartSchema.extend({ op: z.literal("start") }),
  ImportChunkSchema.extend({ op: z.literal("chunk") }),
]);

export type RowError = { line: number; reason: string };

/** The server's answer to a chunk; the counts are the import's running totals. */
export const ChunkResultSchema = z.object({
  chunkIndex: z.number().int(),
  committedRows: z.number().int(),
  badRows: z.number().int(),
  errors: z.array(z.object({ line: z.number().int(), reason: z.string() })),
  /** True when this chunk had been committed before (a retry): nothing was inserted. */
  alreadyCommitted: z.boolean(),
});
export type ChunkResult = z.infer<typeof ChunkResultSchema>;

/** "Doe, Jane" → Jane / Doe; "Jane van Doe" → Jane / van Doe; "Cher" → Cher. */
export function splitFullName(name: string): { firstName: string; lastName?: string } {
  const trimmed = name.trim().replace(/\s+/g, " ");
  const comma = trimmed.indexOf(",");
  if (comma > 0) {
    const last = trimmed.slice(0, comma).trim();
    const first = trimmed.slice(comma + 1).trim();
    if (first) return last ? { firstName: first, lastName: last } : { firstName: first };
  }
  const space = trimmed.indexOf(" ");
  if (space < 0) return { firstName: trimmed };
  return { firstName: trimmed.slice(0, space), lastName: trimmed.slice(space + 1) };
}

/** The person a row describes under a mapping, before validation. */
export function rowToPersonInput(cells: readonly string[], mapping: readonly CsvField[]) {
  let firstName: string | undefined;
  let lastName: string | undefined;
  let fullName: string | undefined;
  let timeZone: string | undefined;
  const emails: { address: string; type: "personal" | "work" }[] = [];
  const phones: { number: string; type: "mobile" }[] = [];
  mapping.forEach((field, i) => {
    const value = (cells[i] ?? "").trim();
    if (!value) return;
    switch (field) {
      case "firstName":
        firstName = value;
        break;
      case "lastName":
        lastName = value;
        break;
      case "fullName":
        fullName = value;
        break;
      case "timeZone":
        timeZone = value;
        break;
      case "email":
      case "personalEmail":
      case "workEmail":
        // A cell may hold several addresses ("a@x.com; b@y.com"); a comma never
        // belongs in an address.
        for (const address of value.split(/[;,]/)) {
          if (address.trim()) {
            emails.push({
              address: address.trim(),
              type: field === "workEmail" ? "work" : "personal",
            });
          }
        }
        break;
      case "phone":
        phones.push({ number: value, type: "mobile" });
        break;
      case "ignore":
        break;
    }
  });
  if (fullName) {
    const split = splitFullName(fullName);
    firstName ??= split.firstName;
    lastName ??= split.lastName;
  }
  return {
    firstName: firstName ?? "",
    ...(lastName ? { lastName } : {}),
    ...(emails.length ? { emails } : {}),
    ...(phones.length ? { phones } : {}),
    ...(timeZone ? { timeZone } : {}),
  };
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function quoted(value: unknown): string {
  if (typeof value !== "string" || value === "") return "";
  const short = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return ` ("${short}")`;
}

export type RowResult = { ok: true; person: PersonInput } | { ok: false; error: RowError };

/**
 * Validates one row: "emails.0.address: Invalid email address ("bob@")" names the
 * field the way the JSON API does, with the value that failed.
 */
export function validateRow(row: CsvRow, mapping: readonly CsvField[]): RowResult {
  const fail = (reason: string): RowResult => ({
    ok: false,
    error: { line: row.line, reason: reason.slice(0, 300) },
  });
  if (row.parseError) return fail(row.parseError);
  const extra = row.cells.slice(mapping.length).filter((c) => c.trim() !== "").length;
  if (extra > 0) {
    return fail(
      `has ${mapping.length + extra} values but the header names ${mapping.length} columns`,
    );
  }
  const candidate = rowToPersonInput(row.cells, mapping);
  const parsed = PersonInputSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, person: parsed.data };
  const reason = parsed.error.issues
    .map((i) => {
      const path = i.path.map(String).join(".");
      return `${path ? `${path}: ` : ""}${i.message}${quoted(valueAt(candidate, i.path))}`;
    })
    .join("; ");
  return fail(reason);
}

/** The good rows as people, and every bad row with its line and reason. */
export function validateRows(
  rows: readonly CsvRow[],
  mapping: readonly CsvField[],
): { people: PersonInput[]; errors: RowError[] } {
  const people: PersonInput[] = [];
  const errors: RowError[] = [];
  for (const row of rows) {
    const r = validateRow(row, mapping);
    if (r.ok) people.push(r.person);
    else errors.push(r.error);
  }
  return { people, errors };
}

export type ParsedCsv = {
  headers: string[];
  rows: CsvRow[];
  /** True when the file has more than MAX_ROWS data rows (parsing stopped there). */
  tooManyRows: boolean;
};

function countOf(text: string, needle: string, from = 0, to = text.length): number {
  let n = 0;
  for (let i = text.indexOf(needle, from); i !== -1 && i + needle.length <= to; ) {
    n++;
    i = text.indexOf(needle, i + needle.length);
  }
  return n;
}

const PARSE_ERRORS: Record<string, string> = {
  MissingQuotes: 'a quoted value is not closed (a " is missing)',
  InvalidQuotes: 'a value has a stray " inside it',
};

/**
 * Parses a CSV as the import page does (papaparse, header row, blank lines skipped) and
 * tracks each row's line number: the physical line the row starts on, header = line 1,
 * blank lines counted — what a text editor shows, and what a spreadsheet shows for files
 * without line breaks inside quoted values. A quoted value spanning lines counts each of
 * its lines, so rows after it are numbered by the file's lines, not by spreadsheet rows.
 */
export function parseCsv(input: string, maxRows = MAX_ROWS): ParsedCsv {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const rows: CsvRow[] = [];
  let headers: string[] = [];
  let tooManyRows = false;
  // Line breaks counted up to `counted`; `line` is the line number at that offset.
  let counted = 0;
  let line = 1;
  Papa.parse<Record<string, unknown>>(text, {
    header: true,
    skipEmptyLines: "greedy",
    step(result, parser) {
      if (rows.length >= maxRows) {
        tooManyRows = true;
        parser.abort();
        return;
      }
      const { meta, data } = result;
      headers = meta.fields ?? headers;
      const lb = meta.linebreak || "\n";
      // meta.cursor is just past this row's line break; its last line ends before it.
      let end = meta.cursor;
      if (text.startsWith(lb, end - lb.length)) end -= lb.length;
      line += countOf(text, lb, counted, end);
      counted = end;
      const extra = Array.isArray(data.__parsed_extra) ? data.__parsed_extra.map(String) : [];
      const cells = [...headers.map((h) => (typeof data[h] === "string" ? data[h] : "")), ...extra];
      const inside = cells.reduce((n, c) => n + countOf(c, lb), 0);
      const problem = result.errors.map((e) => PARSE_ERRORS[e.code]).find(Boolean);
      rows.push({ line: line - inside, cells, ...(problem ? { parseError: problem } : {}) });
    },
  });
  return { headers, rows, tooManyRows };
}

/** The rows in chunks of CHUNK_ROWS, in file order. */
export function chunkRows<T>(rows: readonly T[], size = CHUNK_ROWS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Why a file cannot be imported before reading it, or null. */
export function fileTooBig(bytes: number): string | null {
  return bytes > MAX_FILE_BYTES
    ? `The file is ${(bytes / 1024 / 1024).toFixed(1)} MB; Beacon imports files up to 10 MB. Split it and import the parts.`
    : null;
}

/** "lines 2–501" for a chunk's rows. */
export function lineRange(rows: readonly { line: number }[]): string {
  if (rows.length === 0) return "no lines";
  const first = rows[0].line;
  const last = rows[rows.length - 1].line;
  return first === last ? `line ${first}` : `lines ${first}–${last}`;
}
