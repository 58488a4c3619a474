import { type AnyColumn, sql } from "drizzle-orm";
import { D1_LIMITS } from "./limits";

/**
 * Id lists and row lists bound as ONE JSON parameter and read with json_each, instead of
 * one `?` per id (D1 binds at most 100 per statement, so 10,000 ids took 112 queries).
 *
 *   WHERE id IN (SELECT value FROM json_each(?))
 *   INSERT INTO t (a, b) SELECT value ->> 0, value ->> 1 FROM json_each(?) WHERE true …
 *
 * Each chunk stays at most JSON_CHUNK_BYTES, well inside D1's 2 MB per bound value.
 */

/** Bytes of JSON per bound parameter: 1.5 MB, with room under D1's 2 MB value limit. */
export const JSON_CHUNK_BYTES = 1_500_000;

/** The longest id accepted (ours are UUIDs; API input is at most this long). */
export const MAX_ID_LENGTH = 256;

export class MalformedIdError extends Error {
  override name = "MalformedIdError";
}

// C0 controls and DEL: never part of an id, and a sign of a mangled list.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL = /[\u0000-\u001f\u007f]/;

/** An id as it may be bound: a non-empty string of at most 256 characters, no control characters. */
export function checkId(id: unknown, what = "id"): string {
  if (typeof id !== "string") {
    throw new MalformedIdError(`A ${what} is a string; got ${id === null ? "null" : typeof id}`);
  }
  if (id.length === 0) throw new MalformedIdError(`A ${what} cannot be empty`);
  if (id.length > MAX_ID_LENGTH) {
    throw new MalformedIdError(
      `A ${what} has at most ${MAX_ID_LENGTH} characters; got ${id.length}`,
    );
  }
  if (CONTROL.test(id)) {
    throw new MalformedIdError(`A ${what} cannot hold control characters: ${JSON.stringify(id)}`);
  }
  return id;
}

/** UTF-8 length of a string without allocating (surrogate pairs count 4). */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Splits values into JSON arrays of at most `maxBytes` each (an empty list gives none).
 * A single value whose JSON is over `maxBytes` is refused: it could never be bound.
 */
export function jsonChunks(values: readonly unknown[], maxBytes = JSON_CHUNK_BYTES): string[] {
  if (maxBytes > D1_LIMITS.maxValueBytes) {
    throw new RangeError(`A chunk may hold at most ${D1_LIMITS.maxValueBytes} bytes`);
  }
  const out: string[] = [];
  let parts: string[] = [];
  let bytes = 2; // the brackets
  for (const value of values) {
    const json = JSON.stringify(value);
    const size = utf8Bytes(json);
    if (size + 2 > maxBytes) {
      throw new RangeError(`One value is ${size} bytes of JSON; a chunk holds at most ${maxBytes}`);
    }
    const extra = size + (parts.length > 0 ? 1 : 0);
    if (parts.length > 0 && bytes + extra > maxBytes) {
      out.push(`[${parts.join(",")}]`);
      parts = [];
      bytes = 2;
    }
    bytes += size + (parts.length > 0 ? 1 : 0);
    parts.push(json);
  }
  if (parts.length > 0) out.push(`[${parts.join(",")}]`);
  return out;
}

/** Ids checked (a malformed one throws before any query), deduplicated, as JSON chunks. */
export function jsonIdChunks(
  ids: readonly unknown[],
  what = "id",
  maxBytes = JSON_CHUNK_BYTES,
): string[] {
  const checked = new Set<string>();
  for (const id of ids) checked.add(checkId(id, what));
  return jsonChunks([...checked], maxBytes);
}

/** `column IN` the JSON array bound at this `?`. */
export const inJsonIds = (column: string) => `${column} IN (SELECT value FROM json_each(?))`;

/** The well-formed ids of a list (deduplicated): a malformed one can name no row. */
export function wellFormedIds(ids: readonly unknown[]): string[] {
  const out = new Set<string>();
  for (const id of ids) {
    try {
      out.add(checkId(id));
    } catch (error) {
      if (!(error instanceof MalformedIdError)) throw error;
    }
  }
  return [...out];
}

/** Drizzle: `column IN` one JSON chunk of ids (from jsonIdChunks), bound as one parameter. */
export const inJsonChunk = (column: AnyColumn, json: string) =>
  sql`${column} IN (SELECT value FROM json_each(${json}))`;

/**
 * Drizzle: `column = value` as a check on each row found, never as the index SQLite
 * searches by (the unary `+` is SQLite's way of saying so). D1 keeps no statistics, so with
 * `team_id = ?` next to a list of ids SQLite chooses an index on team_id and reads every
 * row of the team (100 ids in a team of 100,000 people: 100,000 rows read). Used beside a
 * list of ids, so the search goes by the ids; tests/scale/id-lookups.test.ts reads the plans.
 */
export const onlyChecks = (column: AnyColumn, value: unknown) => sql`+${column} = ${value}`;
