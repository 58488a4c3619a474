import { AsyncLocalStorage } from "node:async_hooks";
import { engineHooks } from "../testing/hooks";

/**
 * D1's production limits (developers.cloudflare.com/d1/platform/limits), which local
 * Miniflare does not enforce: bound parameters per statement, queries per invocation,
 * the SQL text's length (100 KB), and the size of a string or BLOB value (2 MB).
 */
export const D1_LIMITS = {
  maxParams: 100,
  maxQueries: 1000,
  maxSqlBytes: 100_000,
  maxValueBytes: 2_000_000,
} as const;

const utf8 = new TextEncoder();

/** A value's size as D1 counts it: UTF-8 bytes of a string, bytes of a BLOB; 0 otherwise. */
export function valueBytes(value: unknown): number {
  if (typeof value === "string") {
    // Cheap bound first: UTF-8 takes at most 3 bytes per UTF-16 unit.
    return value.length * 3 <= D1_LIMITS.maxValueBytes ? value.length : utf8.encode(value).length;
  }
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  return 0;
}

export class D1LimitError extends Error {
  override name = "D1LimitError";
}

/**
 * Every D1 query and round trip this isolate made through the wrapper, for the bench's
 * profile (a batch is one round trip of several queries).
 */
export const d1Totals = { queries: 0, roundTrips: 0 };

type Counter = { queries: number };
const invocation = new AsyncLocalStorage<Counter>();

/** Runs one Worker or Durable Object invocation with its own D1 query count. */
export function inInvocation<T>(fn: () => T): T {
  return invocation.run({ queries: 0 }, fn);
}

function countQueries(n: number) {
  d1Totals.queries += n;
  d1Totals.roundTrips += 1;
  const counter = invocation.getStore();
  if (!counter) return;
  counter.queries += n;
  if (counter.queries > D1_LIMITS.maxQueries) {
    throw new D1LimitError(
      `D1 allows ${D1_LIMITS.maxQueries} queries per invocation; this one made ${counter.queries}`,
    );
  }
}

function checkSql(sql: string) {
  const bytes = sql.length * 3 <= D1_LIMITS.maxSqlBytes ? sql.length : utf8.encode(sql).length;
  if (bytes > D1_LIMITS.maxSqlBytes) {
    throw new D1LimitError(
      `D1 allows statements of ${D1_LIMITS.maxSqlBytes} bytes; this one has ${bytes}: ${sql.slice(0, 120)}`,
    );
  }
}

function checkParams(sql: string, values: unknown[]) {
  if (values.length > D1_LIMITS.maxParams) {
    throw new D1LimitError(
      `D1 allows ${D1_LIMITS.maxParams} bound parameters per statement; got ${values.length}: ${sql.slice(0, 120)}`,
    );
  }
  for (const [i, value] of values.entries()) {
    const bytes = valueBytes(value);
    if (bytes > D1_LIMITS.maxValueBytes) {
      throw new D1LimitError(
        `D1 allows values of ${D1_LIMITS.maxValueBytes} bytes; parameter ${i + 1} has ${bytes}: ${sql.slice(0, 120)}`,
      );
    }
  }
}

const RAW = Symbol("raw statement");
type Wrapped = D1PreparedStatement & { [RAW]: D1PreparedStatement };

function wrapStatement(stmt: D1PreparedStatement, sql: string): Wrapped {
  const wrapped: Wrapped = Object.assign(Object.create(null), {
    [RAW]: stmt,
    bind(...values: unknown[]) {
      checkParams(sql, values);
      engineHooks.onD1Statement?.(sql, values);
      return wrapStatement(stmt.bind(...values), sql);
    },
    first(col?: string) {
      countQueries(1);
      return col === undefined ? stmt.first() : stmt.first(col);
    },
    run() {
      countQueries(1);
      return stmt.run();
    },
    all() {
      countQueries(1);
      return stmt.all();
    },
    raw(options?: { columnNames?: boolean }) {
      countQueries(1);
      // biome-ignore lint/suspicious/noExplicitAny: D1's overloads differ only in the tuple flag
      return stmt.raw(options as any);
    },
  });
  return wrapped;
}

/**
 * Wraps a D1 binding so that every statement over 100 bound parameters or 100 KB of SQL,
 * every bound value over 2 MB, and every invocation over 1,000 queries, fails here exactly
 * as it would in production.
 */
export function limitD1(db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === "prepare") {
        return (sql: string) => {
          checkSql(sql);
          return wrapStatement(target.prepare(sql), sql);
        };
      }
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          countQueries(statements.length);
          return target.batch(statements.map((s) => (s as Partial<Wrapped>)[RAW] ?? s));
        };
      }
      if (prop === "exec") {
        return (sql: string) => {
          checkSql(sql);
          countQueries(sql.split(";").filter((s) => s.trim() !== "").length);
          return target.exec(sql);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
