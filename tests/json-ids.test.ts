import { env } from "cloudflare:workers";
import { loadBatchData } from "@workers/campaign/data";
import {
  JSON_CHUNK_BYTES,
  jsonChunks,
  jsonIdChunks,
  MalformedIdError,
  utf8Bytes,
} from "@workers/db/json-ids";
import { D1_LIMITS, D1LimitError, limitD1 } from "@workers/db/limits";
import { beforeAll, describe, expect, it } from "vitest";

// Id lists bound as one JSON parameter (workers/db/json-ids.ts) against real D1, and the
// limits wrapper holding statements to D1's production limits (developers.cloudflare.com
// /d1/platform/limits: 100 bound parameters, 100 KB of SQL, 2 MB per value).

const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
const TEN_THOUSAND = Array.from({ length: 10_000 }, (_, i) => uuid(i));

/** A D1 binding that records every statement prepared on it. */
function recording(d1: D1Database) {
  const prepared: string[] = [];
  const proxy = new Proxy(d1, {
    get(target, prop, receiver) {
      if (prop === "prepare") {
        return (sql: string) => {
          prepared.push(sql);
          return target.prepare(sql);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { d1: proxy, prepared };
}

/** Ids of `table_ids` matching the list, read through json_each, one statement per chunk. */
async function selectIds(d1: D1Database, ids: string[]) {
  const found: string[] = [];
  for (const json of jsonIdChunks(ids)) {
    const res = await d1
      .prepare("SELECT id FROM json_ids_probe WHERE id IN (SELECT value FROM json_each(?))")
      .bind(json)
      .all<{ id: string }>();
    found.push(...res.results.map((r) => r.id));
  }
  return found.sort();
}

describe("json-ids: id lists as one bound JSON array", () => {
  beforeAll(async () => {
    const d1 = limitD1(env.DB);
    await d1.exec("CREATE TABLE IF NOT EXISTS json_ids_probe (id TEXT PRIMARY KEY)");
    for (const json of jsonIdChunks(TEN_THOUSAND)) {
      await d1
        .prepare(
          "INSERT INTO json_ids_probe (id) SELECT value FROM json_each(?) WHERE true ON CONFLICT DO NOTHING",
        )
        .bind(json)
        .run();
    }
  });

  it("an empty list makes no chunk (and so no query)", () => {
    expect(jsonIdChunks([])).toEqual([]);
    expect(jsonChunks([])).toEqual([]);
  });

  it("one id is one chunk, and finds its row", async () => {
    expect(jsonIdChunks([uuid(7)])).toEqual([`["${uuid(7)}"]`]);
    expect(await selectIds(limitD1(env.DB), [uuid(7)])).toEqual([uuid(7)]);
  });

  it("10,000 ids go in one statement and find all 10,000 rows", async () => {
    const chunks = jsonIdChunks(TEN_THOUSAND);
    // 10,000 × 39 bytes of JSON is about 390 KB: one chunk under 1.5 MB.
    expect(chunks).toHaveLength(1);
    const { d1, prepared } = recording(env.DB);
    const found = await selectIds(limitD1(d1), TEN_THOUSAND);
    expect(found).toEqual([...TEN_THOUSAND].sort());
    expect(prepared).toHaveLength(1);
  });

  it("a list over the chunk size is split, each chunk at most the size, nothing lost or doubled", () => {
    const maxBytes = 10_000;
    const chunks = jsonIdChunks(TEN_THOUSAND, "id", maxBytes);
    // Each id is 38 bytes of JSON plus a comma: about 256 a chunk.
    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil((TEN_THOUSAND.length * 39) / maxBytes));
    for (const c of chunks) expect(utf8Bytes(c)).toBeLessThanOrEqual(maxBytes);
    expect(chunks.flatMap((c) => JSON.parse(c))).toEqual(TEN_THOUSAND);
  });

  it("repeated ids are bound once", () => {
    expect(jsonIdChunks(["a", "b", "a"])).toEqual(['["a","b"]']);
  });

  it("the default chunk stays under D1's 2 MB per bound value", () => {
    expect(JSON_CHUNK_BYTES).toBeLessThanOrEqual(D1_LIMITS.maxValueBytes);
    const wide = Array.from({ length: 60_000 }, (_, i) => `${uuid(i)}-é`);
    const chunks = jsonIdChunks(wide);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(utf8Bytes(c)).toBeLessThanOrEqual(JSON_CHUNK_BYTES);
    expect(chunks.flatMap((c) => JSON.parse(c))).toHaveLength(wide.length);
  });

  it.each([
    ["an empty id", ""],
    ["a control character", "abc\u0000def"],
    ["a number", 42],
    ["null", null],
    ["an id over 256 characters", "x".repeat(257)],
  ])("refuses %s", (_label, bad) => {
    expect(() => jsonIdChunks([uuid(1), bad])).toThrow(MalformedIdError);
  });

  it("a malformed id is refused before any query is prepared", async () => {
    const { d1, prepared } = recording(env.DB);
    await expect(loadBatchData(d1, "team_none", [uuid(1), "bad\nid"], [], null)).rejects.toThrow(
      MalformedIdError,
    );
    expect(prepared).toEqual([]);
  });

  it("a single value too large for any chunk is refused", () => {
    expect(() => jsonChunks(["x".repeat(100)], 50)).toThrow(RangeError);
  });
});

describe("limits wrapper: D1's production limits", () => {
  it("refuses a statement over 100 KB before it reaches D1", () => {
    const d1 = limitD1(env.DB);
    const long = `SELECT 1 WHERE 'x' <> '${"y".repeat(D1_LIMITS.maxSqlBytes)}'`;
    expect(() => d1.prepare(long)).toThrow(D1LimitError);
    expect(() => d1.prepare(long)).toThrow(/100000 bytes/);
  });

  it("counts the SQL's UTF-8 bytes, not its characters", () => {
    const d1 = limitD1(env.DB);
    // 40,000 three-byte characters: 40,000 characters, 120,000 bytes.
    const wide = `SELECT '${"€".repeat(40_000)}'`;
    expect(() => d1.prepare(wide)).toThrow(D1LimitError);
  });

  it("takes a statement just under 100 KB", async () => {
    const d1 = limitD1(env.DB);
    const sql = `SELECT length('${"y".repeat(D1_LIMITS.maxSqlBytes - 100)}') AS n`;
    const row = await d1.prepare(sql).first<{ n: number }>();
    expect(row?.n).toBe(D1_LIMITS.maxSqlBytes - 100);
  });

  it("refuses a bound string over 2 MB, naming the parameter", () => {
    const d1 = limitD1(env.DB);
    const stmt = d1.prepare("SELECT length(?) AS n, ? AS m");
    const big = "z".repeat(D1_LIMITS.maxValueBytes + 1);
    expect(() => stmt.bind(1, big)).toThrow(D1LimitError);
    expect(() => stmt.bind(1, big)).toThrow(/parameter 2/);
  });

  it("refuses a bound BLOB over 2 MB", () => {
    const d1 = limitD1(env.DB);
    const blob = new Uint8Array(D1_LIMITS.maxValueBytes + 1);
    expect(() => d1.prepare("SELECT length(?)").bind(blob)).toThrow(D1LimitError);
  });

  it("takes a 1.5 MB JSON chunk as one value", async () => {
    const d1 = limitD1(env.DB);
    const ids = Array.from({ length: 40_000 }, (_, i) => uuid(i));
    const [first] = jsonIdChunks(ids);
    expect(utf8Bytes(first)).toBeGreaterThan(1_000_000);
    const row = await d1
      .prepare("SELECT count(*) AS n FROM json_each(?)")
      .bind(first)
      .first<{ n: number }>();
    expect(row?.n).toBe(JSON.parse(first).length);
  });

  it("still refuses 101 bound parameters", () => {
    const d1 = limitD1(env.DB);
    const marks = Array(101).fill("?").join(",");
    expect(() =>
      d1.prepare(`SELECT ${marks}`).bind(...Array.from({ length: 101 }, (_, i) => i)),
    ).toThrow(/100 bound parameters/);
  });
});
