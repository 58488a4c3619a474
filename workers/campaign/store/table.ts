/**
 * One definition per table: each stored field names its column and codec once, and the
 * INSERT, UPDATE and row mapper are derived from that list.
 */

export type Row = Record<string, SqlStorageValue>;

export type Codec<V> = { to(v: V): SqlStorageValue; from(v: SqlStorageValue): V };

export const text: Codec<string> = { to: (v) => v, from: (v) => String(v) };
export const textOrNull: Codec<string | null> = {
  to: (v) => v,
  from: (v) => (v === null || v === undefined ? null : String(v)),
};
export const int: Codec<number> = { to: (v) => v, from: (v) => Number(v ?? 0) };
export const intOrNull: Codec<number | null> = {
  to: (v) => v,
  from: (v) => (v === null || v === undefined ? null : Number(v)),
};
export const bool: Codec<boolean> = { to: (v) => (v ? 1 : 0), from: (v) => Number(v) === 1 };

/**
 * `parse`, remembering the values it accepted: a closed set holds a handful, and a column
 * is read on every row (10,000 rows were 20,000 zod parses). A refused value is never kept.
 */
function checked<V extends string>(parse: (v: unknown) => V): (v: SqlStorageValue) => V {
  const accepted = new Map<SqlStorageValue, V>();
  return (v) => {
    const known = accepted.get(v);
    if (known !== undefined) return known;
    const value = parse(v);
    if (accepted.size < 256) accepted.set(v, value);
    return value;
  };
}

/** A codec for a closed set of strings, checked when read back. */
export function oneOf<V extends string>(parse: (v: unknown) => V): Codec<V> {
  const from = checked(parse);
  return { to: (v) => v, from };
}
export function oneOfOrNull<V extends string>(parse: (v: unknown) => V): Codec<V | null> {
  const from = checked(parse);
  return { to: (v) => v, from: (v) => (v === null ? null : from(v)) };
}

type Columns<T> = { [K in keyof T]-?: readonly [column: string, codec: Codec<T[K]>] };

export type Table<T> = {
  name: string;
  /** Column names in definition order. */
  columns: string[];
  fromRow(r: Row): T;
  values(row: T): SqlStorageValue[];
  /** INSERT of every column; `tail` adds an ON CONFLICT clause. */
  insertSql(tail?: string): string;
  /** INSERT … ON CONFLICT(key) DO UPDATE SET every column but the key and `keep`. */
  upsertSql(keep?: (keyof T)[]): string;
  /**
   * The same INSERT (or upsert) of many rows in one statement: bind ONE JSON array of
   * `values(row)` arrays (jsonChunks), read with jsonb_each: its rows come out as JSONB, so
   * each `value ->> i` is a lookup, not a parse of the row's text as with json_each (twice
   * as fast for 15–23 columns; ADR 0030). DO SQLite only: D1 keeps json_each.
   */
  insertJsonSql(tail?: string): string;
  upsertJsonSql(keep?: (keyof T)[]): string;
  /**
   * UPDATE of every column but the key and `keep`, by key. SQLite rewrites an index when
   * the SET names any of its columns, even with the same value: columns that never change
   * after the insert belong in `keep`.
   */
  updateSql(keep?: (keyof T)[]): string;
  /** The values updateSql(keep) binds before the key, in its order. */
  updateValues(row: T, keep?: (keyof T)[]): SqlStorageValue[];
  /**
   * updateSql(keep) of many existing rows in one statement: bind ONE JSON array of
   * `values(row)` arrays, as for upsertJsonSql. A row not there is not written (as with
   * updateSql), and without an INSERT tried first each row costs about half as much: 5,000
   * prospects took 29 ms against 45–65 ms upserted (node:sqlite). One row per key in a call.
   */
  updateJsonSql(keep?: (keyof T)[]): string;
};

/** Builds a table's statements and mapper from one column list. */
export function table<T>(name: string, key: keyof T & string, cols: Columns<T>): Table<T> {
  const fields = Object.keys(cols) as (keyof T)[];
  const col = (f: keyof T) => cols[f][0];
  const columns = fields.map(col);
  const keyColumn = col(key);
  const placeholders = columns.map(() => "?").join(", ");
  const conflictSet = (keep: (keyof T)[]) => {
    const set = fields
      .filter((f) => f !== key && !keep.includes(f))
      .map((f) => `${col(f)} = excluded.${col(f)}`)
      .join(", ");
    return `ON CONFLICT(${keyColumn}) DO UPDATE SET ${set}`;
  };
  return {
    name,
    columns,
    fromRow(r) {
      const out = {} as T;
      for (const f of fields) out[f] = cols[f][1].from(r[col(f)] ?? null);
      return out;
    },
    values(row) {
      return fields.map((f) => cols[f][1].to(row[f]));
    },
    insertSql(tail = "") {
      return `INSERT INTO ${name} (${columns.join(", ")}) VALUES (${placeholders}) ${tail}`;
    },
    upsertSql(keep = []) {
      return this.insertSql(conflictSet(keep));
    },
    insertJsonSql(tail = "") {
      const picks = columns.map((_, i) => `value ->> ${i}`).join(", ");
      // WHERE true: SQLite's parser needs it between a SELECT and ON CONFLICT.
      return `INSERT INTO ${name} (${columns.join(", ")}) SELECT ${picks} FROM jsonb_each(?) WHERE true ${tail}`;
    },
    upsertJsonSql(keep = []) {
      return this.insertJsonSql(conflictSet(keep));
    },
    updateSql(keep = []) {
      const set = fields
        .filter((f) => f !== key && !keep.includes(f))
        .map((f) => `${col(f)} = ?`)
        .join(", ");
      return `UPDATE ${name} SET ${set} WHERE ${keyColumn} = ?`;
    },
    updateJsonSql(keep = []) {
      const set = fields
        .flatMap((f, i) => (f === key || keep.includes(f) ? [] : [`${col(f)} = v.value ->> ${i}`]))
        .join(", ");
      const k = fields.indexOf(key);
      return `UPDATE ${name} SET ${set} FROM jsonb_each(?) AS v WHERE ${name}.${keyColumn} = v.value ->> ${k}`;
    },
    updateValues(row, keep = []) {
      return fields.filter((f) => f !== key && !keep.includes(f)).map((f) => cols[f][1].to(row[f]));
    },
  };
}

/** DO SQLite, like D1, takes at most 100 bound parameters per statement. */
export const MAX_PARAMS = 100;

/** Splits a list so each statement binds at most `size` of it. */
export function chunked<T>(items: T[], size = MAX_PARAMS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
