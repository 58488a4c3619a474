import { and, eq, gte, sql } from "drizzle-orm";
import { clock } from "../clock";
import { dayStart, type UsageFigure, usageFigure } from "../core/usage-figure";
import { db, schema } from "../db/client";
import { accountStub } from "./campaigns";
import { listMailboxes } from "./mailboxes";

/**
 * Today's usage figure of the team: the Account DO's quota ledger (what counts against the
 * limit), the Email Log's emails sent since the day began (per mailbox) and the mailboxes'
 * own caps.
 */
export async function loadUsageFigure(env: Env, teamId: string): Promise<UsageFigure> {
  const u = await (await accountStub(env, teamId)).usage();
  const since = dayStart(clock.now(), u.limits.timeZone);
  const t = schema.emailLog;
  const [sentRows, mailboxes] = await Promise.all([
    db(env)
      .select({ mailboxId: t.mailboxId, n: sql<number>`count(*)` })
      .from(t)
      .where(and(eq(t.teamId, teamId), eq(t.channel, "email"), gte(t.sentAt, since)))
      .groupBy(t.mailboxId),
    listMailboxes(env, teamId),
  ]);
  const mailboxUsed: Record<string, number> = {};
  let loggedSent = 0;
  for (const r of sentRows) {
    loggedSent += Number(r.n);
    if (r.mailboxId) mailboxUsed[r.mailboxId] = Number(r.n);
  }
  return usageFigure({
    used: u.sentToday,
    limit: u.limits.dailyEmailLimit,
    loggedSent,
    resetsAt: u.resetsAt,
    timeZone: u.limits.timeZone,
    mailboxes: mailboxes.map((m) => ({
      id: m.id,
      name: m.name,
      address: m.address,
      dailyCap: m.dailyCap,
    })),
    mailboxUsed,
  });
}
