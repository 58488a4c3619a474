import { env, exports } from "cloudflare:workers";
import {
  ChunkResultSchema,
  type CsvRow,
  chunkRows,
  guessMapping,
  type Mapping,
  parseCsv,
} from "@workers/core/csv-import";
import { countPeople, listPeople } from "@workers/data/people";
import { db, schema } from "@workers/db/client";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";

const Started = z.object({ importId: z.string() });
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

type Session = { cookie: string; teamId: string };

/** Signs up through the real /signup page and keeps its session cookie. */
async function signUp(label: string): Promise<Session> {
  const email = `${label}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const res = await exports.default.fetch("http://localhost/signup", {
    method: "POST",
    headers: { Origin: "http://localhost", Host: "localhost" },
    body: new URLSearchParams({
      name: label,
      email,
      password: "password123",
      teamName: `${label} team`,
    }),
    redirect: "manual",
  });
  expect(res.status).toBe(302);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const user = await db(env).query.user.findFirst({ where: eq(schema.user.email, email) });
  const member = await db(env).query.member.findFirst({
    where: eq(schema.member.userId, user?.id ?? ""),
  });
  if (!member) throw new Error("sign-up made no team");
  return { cookie, teamId: member.organizationId };
}

function post(session: Session | null, body: unknown) {
  return exports.default.fetch("http://localhost/people/import/rows", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      // The import page's fetch() is same-origin: browsers send Origin on every POST.
      Origin: "http://localhost",
      ...(session ? { Cookie: session.cookie } : {}),
    },
    body: JSON.stringify(body),
    redirect: "manual",
  });
}

async function start(session: Session, totalRows: number, fileName = "people.csv") {
  const res = await post(session, { op: "start", fileName, totalRows });
  expect(res.status).toBe(201);
  return Started.parse(await res.json()).importId;
}

function sendChunk(
  session: Session,
  importId: string,
  chunkIndex: number,
  mapping: Mapping,
  rows: CsvRow[],
) {
  return post(session, { op: "chunk", importId, chunkIndex, mapping, rows });
}

const TIME_ZONES = ["Europe/London", "America/New_York", "Asia/Tokyo", ""];

/**
 * 10,000 data rows with three malformed ones, a few blank lines and a quoted value spanning
 * two lines, so the expected line numbers are the file's physical lines.
 */
function makeCsv() {
  const lines = ["First name,Last name,Email,Work email,Phone,Time zone,Notes"];
  let lastLine = 1; // the physical line the latest entry ends on
  const push = (entry: string) => {
    lines.push(entry);
    lastLine += entry.split("\n").length;
  };
  const bad = new Map<number, string>(); // physical line → the field its reason names
  for (let i = 0; i < 10_000; i++) {
    if (i === 2500 || i === 7000) push(""); // blank lines count as lines
    let first = `Person${i}`;
    let email = `person${i}@example.com`;
    let tz = TIME_ZONES[i % TIME_ZONES.length];
    const lineNo = lastLine + 1;
    if (i === 1234) {
      email = "not-an-email@";
      bad.set(lineNo, "emails.0.address");
    }
    if (i === 5000) {
      first = "";
      bad.set(lineNo, "firstName");
    }
    if (i === 9876) {
      tz = "Mars/Olympus_Mons";
      bad.set(lineNo, "timeZone");
    }
    const notes = i === 42 ? '"met at the fair,\nfollow up in May"' : `"note ${i}"`;
    push(
      [
        first,
        `Last${i % 97}`,
        email,
        `p${i}@work.example`,
        `+1 555 ${1000 + (i % 9000)}`,
        tz,
        notes,
      ].join(","),
    );
  }
  return { text: `${lines.join("\n")}\n`, bad };
}

let alice: Session;
let bob: Session;

beforeAll(async () => {
  alice = await signUp("alice");
  bob = await signUp("bob");
});

describe("importing a 10,000-row CSV through the page's endpoint", () => {
  it("commits 9,997 people, reports the 3 bad rows by line, and ignores a re-sent chunk", async () => {
    const { text, bad } = makeCsv();
    const parsed = parseCsv(text);
    expect(parsed.tooManyRows).toBe(false);
    expect(parsed.rows.length).toBe(10_000);
    const mapping = guessMapping(parsed.headers);
    expect(mapping).toEqual([
      "firstName",
      "lastName",
      "email",
      "workEmail",
      "phone",
      "timeZone",
      "ignore",
    ]);
    const chunks = chunkRows(parsed.rows);
    expect(chunks.length).toBe(20);

    const importId = await start(alice, parsed.rows.length);
    const progress: number[] = [];
    const errors: { line: number; reason: string }[] = [];
    for (const [index, rows] of chunks.entries()) {
      const res = await sendChunk(alice, importId, index, mapping, rows);
      expect(res.status, `chunk ${index}`).toBe(200);
      const result = ChunkResultSchema.parse(await res.json());
      expect(result.alreadyCommitted).toBe(false);
      progress.push(result.committedRows);
      errors.push(...result.errors);
    }

    expect(progress.at(-1)).toBe(9_997);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(new Set(progress).size).toBe(20);
    expect(await countPeople(db(env), alice.teamId)).toBe(9_997);

    expect(errors.map((e) => e.line)).toEqual([...bad.keys()]);
    for (const e of errors) {
      expect(e.reason.startsWith(`${bad.get(e.line)}: `), e.reason).toBe(true);
    }
    // The row after the two-line note and the blank lines is numbered by physical lines.
    expect([...bad.keys()]).toEqual([1237, 5004, 9881]);

    const again = await sendChunk(alice, importId, 2, mapping, chunks[2]);
    expect(again.status).toBe(200);
    const repeated = ChunkResultSchema.parse(await again.json());
    expect(repeated).toMatchObject({ alreadyCommitted: true, committedRows: 9_997, badRows: 3 });
    expect(repeated.errors.map((e) => e.line)).toEqual([1237]);
    expect(await countPeople(db(env), alice.teamId)).toBe(9_997);

    const page = await listPeople(db(env), alice.teamId, { q: "person42@example.com", limit: 5 });
    expect(page.items).toHaveLength(1);
    expect(page.items[0].emails).toEqual([
      { address: "person42@example.com", type: "personal" },
      { address: "p42@work.example", type: "work" },
    ]);
  });
});

describe("the largest chunk", () => {
  it("fits D1's limits with 500 people of 10 emails and 10 phones each", async () => {
    const mapping: Mapping = [
      "firstName",
      ...Array.from({ length: 10 }, (): "workEmail" => "workEmail"),
      ...Array.from({ length: 10 }, (): "phone" => "phone"),
    ];
    const rows: CsvRow[] = Array.from({ length: 500 }, (_, i) => ({
      line: i + 2,
      cells: [
        `Wide${i}`,
        ...Array.from({ length: 10 }, (_, k) => `w${i}.${k}@wide.example`),
        ...Array.from({ length: 10 }, (_, k) => `+1 555 ${i} ${k}`),
      ],
    }));
    const importId = await start(bob, rows.length, "wide.csv");
    const res = await sendChunk(bob, importId, 0, mapping, rows);
    expect(res.status).toBe(200);
    expect(ChunkResultSchema.parse(await res.json())).toMatchObject({
      committedRows: 500,
      badRows: 0,
    });
    const page = await listPeople(db(env), bob.teamId, { q: "wide499", limit: 1 });
    expect(page.items[0].emails).toHaveLength(10);
    expect(page.items[0].phones).toHaveLength(10);
  });
});

describe("the import endpoint's guards", () => {
  it("answers 404 to another team's import and inserts nothing", async () => {
    const importId = await start(alice, 1);
    const res = await sendChunk(bob, importId, 0, ["firstName"], [{ line: 2, cells: ["Mallory"] }]);
    expect(res.status).toBe(404);
    expect(ErrorBody.parse(await res.json()).error.code).toBe("not_found");
    const mallory = await listPeople(db(env), bob.teamId, { q: "mallory", limit: 5 });
    expect(mallory.items).toEqual([]);
  });

  it("answers 401 in JSON when signed out", async () => {
    const res = await post(null, { op: "start", fileName: "x.csv", totalRows: 1 });
    expect(res.status).toBe(401);
    expect(ErrorBody.parse(await res.json()).error.code).toBe("unauthorized");
  });

  it("answers 422 to a mapping without a first name", async () => {
    const importId = await start(bob, 1);
    const res = await sendChunk(bob, importId, 0, ["email"], [{ line: 2, cells: ["a@b.co"] }]);
    expect(res.status).toBe(422);
    expect(ErrorBody.parse(await res.json()).error.message).toContain("first name");
  });

  it("refuses a file of more than 50,000 rows when it starts", async () => {
    const res = await post(bob, { op: "start", fileName: "huge.csv", totalRows: 50_001 });
    expect(res.status).toBe(422);
  });

  it("answers 422 to a chunk past the end of the file", async () => {
    const importId = await start(bob, 10);
    const res = await sendChunk(bob, importId, 1, ["firstName"], [{ line: 502, cells: ["Zed"] }]);
    expect(res.status).toBe(422);
  });
});
