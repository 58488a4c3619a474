import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { ActorRef } from "../campaign/transitions";
import { clock } from "../clock";
import { normalizeEmail } from "../core/people";
import { type UnsubscribeClaim, verifyUnsubscribeToken } from "../core/tokens";
import { type Db, db, schema } from "../db/client";
import { config } from "../env";
import { campaignStub, findCampaign, membershipsOf } from "./campaigns";

/** A token longer than any we issue is not worth an HMAC. */
export const UnsubscribeTokenParamSchema = z.string().min(1).max(2048);

/**
 * What an unsubscribe POST asked for: RFC 8058's one-click body, sent by mail apps, or the
 * confirmation page's button. Anything else asks for nothing.
 */
export const UnsubscribePostSchema = z.union([
  z.object({ "List-Unsubscribe": z.literal("One-Click") }).transform(() => "one_click" as const),
  z.object({ intent: z.literal("unsubscribe") }).transform(() => "page" as const),
]);
export type UnsubscribeVia = z.output<typeof UnsubscribePostSchema>;

/** A genuine unsubscribe link of a team that exists, for a person the team knows or mailed. */
export type UnsubscribeTarget = {
  claim: UnsubscribeClaim;
  teamName: string;
  /** The person is still in the team's database (not deleted since the mail went out). */
  personExists: boolean;
};

/**
 * The target of an unsubscribe token, or null when the token is forged, altered, malformed,
 * or names a team or person Beacon does not know. A person deleted since the mail went
 * out still counts: the Email Log keeps what was sent to them, and their wish to hear
 * nothing more must be honoured for the address they were mailed at.
 */
export async function findUnsubscribeTarget(
  env: Env,
  token: string,
): Promise<UnsubscribeTarget | null> {
  const parsed = UnsubscribeTokenParamSchema.safeParse(token);
  if (!parsed.success) return null;
  const claim = await verifyUnsubscribeToken(config(env).AUTH_SECRET, parsed.data);
  if (!claim) return null;
  const d = db(env);
  const team = await d.query.organization.findFirst({
    columns: { name: true },
    where: eq(schema.organization.id, claim.t),
  });
  if (!team) return null;
  const person = await d.query.person.findFirst({
    columns: { id: true },
    where: and(eq(schema.person.teamId, claim.t), eq(schema.person.id, claim.p)),
  });
  if (person) return { claim, teamName: team.name, personExists: true };
  const mailed = await d.query.emailLog.findFirst({
    columns: { id: true },
    where: and(eq(schema.emailLog.teamId, claim.t), eq(schema.emailLog.personId, claim.p)),
  });
  return mailed ? { claim, teamName: team.name, personExists: false } : null;
}

// suppression has 5 columns: D1's 100 bound parameters allow 20 rows per statement.
const SUPPRESSION_ROWS_PER_STATEMENT = 20;

/** Why a person is on a team's suppression list: a link or a mail app, or an SMS STOP. */
export type OptOutReason = "unsubscribed" | "sms_stop";

/** Adds the keys to the team's suppression list; a key already there stays as it was. */
async function suppress(
  d: Db,
  teamId: string,
  personId: string,
  normalized: string[],
  reason: OptOutReason,
  at: number,
) {
  const rows = [...new Set(normalized)].map((n) => ({
    teamId,
    normalized: n,
    personId,
    reason,
    createdAt: at,
  }));
  for (let i = 0; i < rows.length; i += SUPPRESSION_ROWS_PER_STATEMENT) {
    await d
      .insert(schema.suppression)
      .values(rows.slice(i, i + SUPPRESSION_ROWS_PER_STATEMENT))
      .onConflictDoNothing();
  }
}

export type OptOut = {
  teamId: string;
  personId: string;
  /** Normalized email addresses and E.164 numbers the team must never contact again. */
  keys: string[];
  reason: OptOutReason;
  /** The prospect history's words for it. */
  detail: string;
  actor: ActorRef;
  /**
   * Campaigns of the team known to have contacted the person: the D1 mirror of memberships
   * may lag behind a campaign the person was just enrolled in.
   */
  campaignIds: string[];
};

export type OptOutResult = {
  /** Campaigns whose Durable Object answered (the person may not be in all of them). */
  campaignsReached: number;
  /** Campaigns that could not be reached; the suppression list still stops every send. */
  campaignsMissed: string[];
};

/**
 * A person's opt-out (idempotent): the keys go on the team's suppression list, then the
 * person becomes Unsubscribed (for `reason`) in every campaign of the team they are in.
 */
export async function optOut(
  env: Env,
  o: OptOut,
  now: number = clock.now(),
): Promise<OptOutResult> {
  const d = db(env);
  // Suppression first: it alone keeps the pipeline and enrollment away from the person,
  // so once it is written the opt-out holds whatever happens to the campaigns below.
  await suppress(d, o.teamId, o.personId, o.keys, o.reason, now);

  const campaignIds = new Set(
    (await membershipsOf(d, o.teamId, o.personId)).map((r) => r.campaignId),
  );
  for (const id of o.campaignIds) {
    if (await findCampaign(d, o.teamId, id)) campaignIds.add(id);
  }
  const ids = [...campaignIds];
  const outcomes = await Promise.allSettled(
    ids.map(async (id) =>
      (await campaignStub(env, id)).applyOutcome([o.personId], o.reason, o.detail, o.actor),
    ),
  );
  const missed: string[] = [];
  outcomes.forEach((r, i) => {
    if (r.status === "rejected") {
      missed.push(ids[i]);
      // Not an error for the recipient: the suppression row already stops every send, and
      // the pipeline marks them Unsubscribed there when their next stage comes due.
      console.warn(`${o.reason}: campaign ${ids[i]} not reached`, r.reason);
    }
  });
  return { campaignsReached: ids.length - missed.length, campaignsMissed: missed };
}

export type UnsubscribeResult =
  | { ok: false }
  | ({ ok: true; teamName: string; address: string } & OptOutResult);

/**
 * Performs an unsubscribe (idempotent): the token's address and every address of the
 * person go on the team's suppression list, and the person becomes Unsubscribed in every
 * campaign of the team they are in.
 */
export async function unsubscribe(
  env: Env,
  token: string,
  via: UnsubscribeVia,
  now: number = clock.now(),
): Promise<UnsubscribeResult> {
  const target = await findUnsubscribeTarget(env, token);
  if (!target) return { ok: false };
  const { claim } = target;
  const current = target.personExists
    ? await db(env)
        .select({ address: schema.personEmail.address })
        .from(schema.personEmail)
        .where(
          and(eq(schema.personEmail.teamId, claim.t), eq(schema.personEmail.personId, claim.p)),
        )
    : [];
  const result = await optOut(
    env,
    {
      teamId: claim.t,
      personId: claim.p,
      keys: [claim.e, ...current.map((r) => r.address)].map(normalizeEmail),
      reason: "unsubscribed",
      detail:
        via === "one_click"
          ? `${claim.e} unsubscribed with one click in their mail app`
          : `${claim.e} unsubscribed on the unsubscribe page`,
      actor: { kind: "system", id: "unsubscribe" },
      // The mail the link came from names one campaign for sure.
      campaignIds: [claim.c],
    },
    now,
  );
  return { ok: true, teamName: target.teamName, address: claim.e, ...result };
}
