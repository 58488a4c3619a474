import { and, asc, eq, like } from "drizzle-orm";
import { clock } from "../clock";
import {
  assessMailbox,
  domainOf,
  type MailboxHealth,
  type MailboxInput,
  newSyncToken,
  syncAddress,
} from "../core/mailboxes";
import {
  CONFIRMATION_TTL_MS,
  ConfirmTokenSchema,
  confirmationDue,
  type SendingFacts,
  sendingHealth,
} from "../core/sending-domains";
import { db, schema } from "../db/client";
import { config } from "../env";
import { emailConfirmationLink, hashConfirmToken } from "./confirmation-email";
import { domainByName, fetchDomain } from "./domain-store";
import { resendAccount } from "./resend-account";

export type MailboxDto = {
  id: string;
  address: string;
  name: string;
  dailyCap: number | null;
  canSend: boolean;
  capturesReplies: boolean;
  syncAddress: string | null;
  problem: string | null;
  userId: string;
  /** When the address was confirmed through the emailed link (null: not yet, or the sink). */
  confirmedAt: string | null;
  /** When the latest confirmation link was emailed. */
  confirmationSentAt: string | null;
  checkedAt: string | null;
  createdAt: string;
};

type MailboxRow = typeof schema.mailbox.$inferSelect;

function toDto(row: MailboxRow, inboundDomain: string | undefined): MailboxDto {
  return {
    id: row.id,
    address: row.address,
    name: row.name,
    dailyCap: row.dailyCap,
    canSend: row.canSend,
    capturesReplies: row.capturesReplies,
    syncAddress: syncAddress(row.syncToken, inboundDomain),
    problem: row.problem,
    userId: row.userId,
    confirmedAt: row.confirmedAt ? row.confirmedAt.toISOString() : null,
    confirmationSentAt: row.confirmSentAt ? row.confirmSentAt.toISOString() : null,
    checkedAt: row.checkedAt ? row.checkedAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
  };
}

type AssessOptions = {
  /** Ask Resend for the domain's status when Beacon's copy is not "verified" yet. */
  refreshDomain: boolean;
  /** Email a new confirmation link even if one is outstanding (not within a minute). */
  resendConfirmation: boolean;
};

/**
 * Works out whether a mailbox can send (sending identity: a verified domain of its own
 * team, and an address confirmed through an emailed link), emails the link when it is
 * due, and stores the result: `can_send` is what the send pipeline obeys.
 */
async function assess(env: Env, row: MailboxRow, opts: AssessOptions): Promise<MailboxRow> {
  const inbound = config(env).INBOUND_DOMAIN;
  const account = resendAccount(env);
  let health: MailboxHealth;
  if (!account) {
    health = assessMailbox(sendingHealth({ mode: "sink" }), inbound);
  } else {
    const domainName = domainOf(row.address);
    let domain = await domainByName(env, domainName);
    if (
      domain &&
      domain.teamId === row.teamId &&
      opts.refreshDomain &&
      domain.status !== "verified"
    ) {
      domain = (await fetchDomain(env, account, domain, new Date(clock.now()))).row;
    }
    const facts: SendingFacts = {
      mode: "provider",
      address: row.address,
      domainName,
      domain: !domain
        ? null
        : domain.teamId === row.teamId
          ? { ours: true, name: domain.name, status: domain.status }
          : { ours: false, name: domain.name },
      confirmedAt: row.confirmedAt ? row.confirmedAt.getTime() : null,
      confirmation: row.confirmSentAt ? { sentAt: row.confirmSentAt.getTime() } : null,
    };
    const now = clock.now();
    const sentAt = row.confirmSentAt ? row.confirmSentAt.getTime() : null;
    if (domain && confirmationDue(facts, sentAt, now, opts.resendConfirmation)) {
      const sent = await emailConfirmationLink(env, account, row, domain.name, now);
      if (!("raced" in sent)) facts.confirmation = sent;
    }
    health = assessMailbox(sendingHealth(facts), inbound);
  }
  const [updated] = await db(env)
    .update(schema.mailbox)
    .set({ ...health, checkedAt: new Date(clock.now()) })
    .where(and(eq(schema.mailbox.id, row.id), eq(schema.mailbox.teamId, row.teamId)))
    .returning();
  return updated ?? row;
}

/**
 * Re-assesses every mailbox (of any team) whose address is on `domainName`, after that
 * domain was registered, checked or removed: the owning team's unconfirmed mailboxes get
 * their confirmation link once it is verified, other teams' learn it is taken.
 */
export async function reassessMailboxesOn(env: Env, domainName: string): Promise<void> {
  const rows = await db(env).query.mailbox.findMany({
    where: like(schema.mailbox.address, `%@${domainName}`),
  });
  for (const row of rows) {
    if (domainOf(row.address) !== domainName) continue;
    await assess(env, row, { refreshDomain: false, resendConfirmation: false });
  }
}

export type CreateMailboxResult =
  | { ok: true; mailbox: MailboxDto }
  | { ok: false; code: "conflict"; message: string };

function duplicate(address: string): CreateMailboxResult {
  return {
    ok: false,
    code: "conflict",
    message: `The team already has a mailbox for ${address}.`,
  };
}

/**
 * Adds a mailbox owned by `userId` and assesses it right away. An address on a domain
 * another team registered is refused; one on a domain the team has not verified yet is
 * kept (it cannot send until the domain is verified and the address confirmed).
 */
export async function createMailbox(
  env: Env,
  owner: { teamId: string; userId: string },
  input: MailboxInput,
): Promise<CreateMailboxResult> {
  const d = db(env);
  const existing = await d.query.mailbox.findFirst({
    where: and(eq(schema.mailbox.teamId, owner.teamId), eq(schema.mailbox.address, input.address)),
    columns: { id: true },
  });
  if (existing) return duplicate(input.address);
  const domain = await domainByName(env, domainOf(input.address));
  if (domain && domain.teamId !== owner.teamId) {
    return {
      ok: false,
      code: "conflict",
      message: `The domain ${domain.name} belongs to another team: use an address on one of your team's domains.`,
    };
  }
  let row: MailboxRow;
  try {
    [row] = await d
      .insert(schema.mailbox)
      .values({
        id: crypto.randomUUID(),
        teamId: owner.teamId,
        userId: owner.userId,
        address: input.address,
        name: input.name,
        dailyCap: input.dailyCap ?? null,
        syncToken: newSyncToken((b) => crypto.getRandomValues(b)),
        canSend: false,
        // Milliseconds, so that mailboxes added within one second keep their order.
        createdAt: new Date(),
      })
      .returning();
  } catch (error) {
    // Two adds of one address racing past the check above meet the unique index.
    if (String(error).includes("UNIQUE constraint failed: mailbox.team_id, mailbox.address")) {
      return duplicate(input.address);
    }
    throw error;
  }
  const assessed = await assess(env, row, { refreshDomain: true, resendConfirmation: false });
  return { ok: true, mailbox: toDto(assessed, config(env).INBOUND_DOMAIN) };
}

/** Every mailbox of the team, oldest first. */
export async function listMailboxes(env: Env, teamId: string): Promise<MailboxDto[]> {
  const rows = await db(env).query.mailbox.findMany({
    where: eq(schema.mailbox.teamId, teamId),
    orderBy: [asc(schema.mailbox.createdAt), asc(schema.mailbox.id)],
  });
  const inbound = config(env).INBOUND_DOMAIN;
  return rows.map((r) => toDto(r, inbound));
}

/**
 * Checks a mailbox of the team again (its domain's status with the provider too) and, if
 * it is still unconfirmed, emails a new confirmation link; null when the team has no such
 * mailbox.
 */
export async function resyncMailbox(
  env: Env,
  teamId: string,
  id: string,
): Promise<MailboxDto | null> {
  const row = await db(env).query.mailbox.findFirst({
    where: and(eq(schema.mailbox.id, id), eq(schema.mailbox.teamId, teamId)),
  });
  if (!row) return null;
  const assessed = await assess(env, row, { refreshDomain: true, resendConfirmation: true });
  return toDto(assessed, config(env).INBOUND_DOMAIN);
}

export type ConfirmResult =
  | { kind: "not_found" }
  | { kind: "expired"; address: string }
  | { kind: "confirmed"; already: boolean; mailbox: MailboxDto; teamName: string };

/**
 * Opens a confirmation link for a signed-in user. Only a member of the mailbox's team may
 * use it; for anyone else the link does not exist (404), so a leaked link confirms nothing.
 */
export async function confirmMailbox(
  env: Env,
  userId: string,
  token: string,
): Promise<ConfirmResult> {
  if (!ConfirmTokenSchema.safeParse(token).success) return { kind: "not_found" };
  const d = db(env);
  const row = await d.query.mailbox.findFirst({
    where: eq(schema.mailbox.confirmTokenHash, await hashConfirmToken(token)),
  });
  if (!row) return { kind: "not_found" };
  const [membership, team] = await Promise.all([
    d.query.member.findFirst({
      where: and(eq(schema.member.organizationId, row.teamId), eq(schema.member.userId, userId)),
      columns: { id: true },
    }),
    d.query.organization.findFirst({
      where: eq(schema.organization.id, row.teamId),
      columns: { name: true },
    }),
  ]);
  if (!membership) return { kind: "not_found" };
  const inbound = config(env).INBOUND_DOMAIN;
  const teamName = team?.name ?? "your team";
  if (row.confirmedAt)
    return { kind: "confirmed", already: true, mailbox: toDto(row, inbound), teamName };
  const now = clock.now();
  if (!row.confirmSentAt || now - row.confirmSentAt.getTime() >= CONFIRMATION_TTL_MS) {
    return { kind: "expired", address: row.address };
  }
  const [confirmed] = await d
    .update(schema.mailbox)
    .set({ confirmedAt: new Date(now) })
    .where(and(eq(schema.mailbox.id, row.id), eq(schema.mailbox.teamId, row.teamId)))
    .returning();
  if (!confirmed) return { kind: "not_found" };
  const assessed = await assess(env, confirmed, { refreshDomain: true, resendConfirmation: false });
  return { kind: "confirmed", already: false, mailbox: toDto(assessed, inbound), teamName };
}
