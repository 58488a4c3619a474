import { engineHooks } from "../../testing/hooks";

/**
 * Counts the statements a Campaign DO runs on its SQLite storage (the profile of
 * docs/perf/profile-2026-12.md; `alarmState()` reports them). One increment per exec.
 */
export type SqlCounts = { statements: number };

export function countingSql(sql: SqlStorage, counts: SqlCounts): SqlStorage {
  const exec = sql.exec.bind(sql);
  return new Proxy(sql, {
    get(target, prop, receiver) {
      if (prop === "exec") {
        return (query: string, ...bindings: unknown[]) => {
          counts.statements += 1;
          engineHooks.onCampaignStatement?.(query, bindings);
          return exec(query, ...bindings);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
