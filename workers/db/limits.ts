import { AsyncLocalStorage } from "node:async_hooks";

/** D1's production limits, which local Miniflare does not enforce. */
export const D1_LIMITS = { maxParams: 100, maxQueries: 1000 } as const;

export class D1LimitError extends Error {
  override name = "D1LimitError";
}

type Counter = { queries: number };
const invocation = new AsyncLocalStorage<Counter>();

/** Runs one Worker or Durable Object invocation with its own D1 query count. */
export function inInvocation<T>(fn: () => T): T {
  return invocation.run({ queries: 0 }, fn);
}

function countQueries(n: number) {
  const counter = invocation.getStore();
  if (!counter) return;
  counter.queries += n;
  if (counter.queries > D1_LIMITS.maxQueries) {
    throw new D1LimitError(
      `D1 allows ${D1_LIMITS.maxQueries} queries per invocation; this one made ${counter.queries}`,
    );
  }
}

function checkParams(sql: string, n: number) {
  if (n > D1_LIMITS.maxParams) {
    throw new D1LimitError(
      `D1 allows ${D1_LIMITS.maxParams} bound parameters per statement; got ${n}: ${sql.slice(0, 120)}`,
    );
  }
}

const RAW = Symbol("raw statement");
type Wrapped = D1PreparedStatement & { [RAW]: D1PreparedStatement };

function wrapStatement(stmt: D1PreparedStatement, sql: string): Wrapped {
  const wrapped: Wrapped = Object.assign(Object.create(null), {
    [RAW]: stmt,
    bind(...values: unknown[]) {
      checkParams(sql, values.length);
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
 * Wraps a D1 binding so that every statement over 100 bound parameters, and every
 * invocation over 1,000 queries, fails here exactly as it would in production.
 */
export function limitD1(db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === "prepare") {
        return (sql: string) => wrapStatement(target.prepare(sql), sql);
      }
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          countQueries(statements.length);
          return target.batch(statements.map((s) => (s as Partial<Wrapped>)[RAW] ?? s));
        };
      }
      if (prop === "exec") {
        return (sql: string) => {
          countQueries(sql.split(";").filter((s) => s.trim() !== "").length);
          return target.exec(sql);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
