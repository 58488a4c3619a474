import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { clock } from "./clock";
import {
  AttemptLogSchema,
  BUCKET_RULES,
  type Bucket,
  BucketRuleNameSchema,
  BucketSchema,
  bucketFullAt,
  type Decision,
  hitLog,
  logExpiresAt,
  refundLog,
  takeAll,
  WINDOW_RULES,
  WindowRuleNameSchema,
} from "./core/rate-limit";
import { config } from "./env";

const KeySchema = z.string().min(1).max(512);

export const HitArgsSchema = z.object({ rule: WindowRuleNameSchema, key: KeySchema });
export type HitArgs = z.infer<typeof HitArgsSchema>;
/** `at`: when the attempt was counted, to refund it by (absent when refused). */
export type HitAnswer = Decision & { at?: number };

export const RefundArgsSchema = z.object({
  rule: WindowRuleNameSchema,
  key: KeySchema,
  at: z.number(),
});
export type RefundArgs = z.infer<typeof RefundArgsSchema>;

export const TakeArgsSchema = z.object({
  buckets: z
    .array(z.object({ rule: BucketRuleNameSchema, key: KeySchema }))
    .min(1)
    .max(4),
});
export type TakeArgs = z.infer<typeof TakeArgsSchema>;

/**
 * Counters every isolate shares: attempt logs for sign-in/sign-up and token buckets for
 * the API (the arithmetic is in core/rate-limit.ts). Each call is one synchronous
 * read-modify-write of SQLite, so concurrent callers never both get the last token.
 * Rows that count nothing any more are deleted as calls come in.
 */
export class Limiter extends DurableObject<Env> {
  private ready = false;

  private sql() {
    const sql = this.ctx.storage.sql;
    if (!this.ready) {
      sql.exec(
        `CREATE TABLE IF NOT EXISTS counter (key TEXT PRIMARY KEY, state TEXT NOT NULL, expires_at REAL NOT NULL);
         CREATE INDEX IF NOT EXISTS counter_expires ON counter (expires_at);`,
      );
      this.ready = true;
    }
    return sql;
  }

  private read<T>(key: string, schema: z.ZodType<T>, now: number): T | null {
    const sql = this.sql();
    sql.exec("DELETE FROM counter WHERE expires_at <= ?", now);
    const row = sql.exec("SELECT state FROM counter WHERE key = ?", key).toArray()[0];
    if (!row) return null;
    const parsed = schema.safeParse(JSON.parse(String(row.state)));
    return parsed.success ? parsed.data : null;
  }

  private write(key: string, state: unknown, expiresAt: number) {
    this.sql().exec(
      `INSERT INTO counter (key, state, expires_at) VALUES (?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at`,
      key,
      JSON.stringify(state),
      expiresAt,
    );
  }

  /** A window rule, with the sign-up limit as configured (SIGN_UP_LIMIT). */
  private windowRule(name: keyof typeof WINDOW_RULES) {
    const rule = WINDOW_RULES[name];
    const signUps = name === "sign-up" ? config(this.env).SIGN_UP_LIMIT : undefined;
    return signUps ? { ...rule, limit: signUps } : rule;
  }

  /** Counts one attempt under `rule`, or refuses it with the wait until one is allowed. */
  async hit(input: HitArgs): Promise<HitAnswer> {
    const { rule: name, key } = HitArgsSchema.parse(input);
    const rule = this.windowRule(name);
    const now = clock.now();
    const id = `${name}:${key}`;
    const { log, decision } = hitLog(this.read(id, AttemptLogSchema, now), rule, now);
    this.write(id, log, logExpiresAt(log, rule));
    return decision.allowed ? { ...decision, at: now } : decision;
  }

  /** Forgets an attempt counted by `hit` (it turned out not to count, e.g. a good password). */
  async refund(input: RefundArgs): Promise<void> {
    const { rule: name, key, at } = RefundArgsSchema.parse(input);
    const rule = this.windowRule(name);
    const id = `${name}:${key}`;
    const log = refundLog(this.read(id, AttemptLogSchema, clock.now()), at);
    this.write(id, log, logExpiresAt(log, rule));
  }

  /** Takes a token from every named bucket, or from none. */
  async take(input: TakeArgs): Promise<Decision> {
    const args = TakeArgsSchema.parse(input);
    const now = clock.now();
    const named = args.buckets.map(({ rule, key }) => ({
      id: `${rule}:${key}`,
      rule: BUCKET_RULES[rule],
    }));
    const { buckets, decision } = takeAll(
      named.map(({ id, rule }) => ({ bucket: this.read(id, BucketSchema, now), rule })),
      now,
    );
    if (decision.allowed) {
      buckets.forEach((bucket: Bucket, i) => {
        this.write(named[i].id, bucket, bucketFullAt(bucket, named[i].rule));
      });
    }
    return decision;
  }
}
