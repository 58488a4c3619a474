import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../db/schema";
import { limitD1 } from "./limits";

export { schema };
export type Db = ReturnType<typeof makeDb>;

function makeDb(d1: D1Database) {
  return drizzle(limitD1(d1), { schema });
}

const cache = new WeakMap<D1Database, Db>();

/** The team data in D1 through drizzle, held to D1's production limits. */
export function db(env: { DB: D1Database }): Db {
  let hit = cache.get(env.DB);
  if (!hit) {
    hit = makeDb(env.DB);
    cache.set(env.DB, hit);
  }
  return hit;
}
