import { and, asc, eq } from "drizzle-orm";
import { clock } from "../clock";
import { type DomainInput, domainRefreshDue } from "../core/sending-domains";
import { db, schema } from "../db/client";
import {
  type DomainDto,
  type DomainRow,
  domainByName,
  fetchDomain,
  ResendDomainSchema,
  storeDomainAnswer,
  toDomainDto,
} from "./domain-store";
import { reassessMailboxesOn } from "./mailboxes";
import {
  callOptions,
  type ProviderFailure,
  providerFailure,
  resendAccount,
  resendClient,
} from "./resend-account";

export type { DomainDto } from "./domain-store";

const NO_PROVIDER =
  "No email provider is configured (RESEND_API_KEY is not set): mail goes to the local sink, where every mailbox can send, so there are no domains to register.";

export type DomainFailure =
  | { code: "no_provider"; message: string }
  | { code: "conflict"; message: string }
  | { code: "provider_refused"; message: string }
  | { code: "provider_unreachable"; message: string };

function fromProvider(name: string, failure: ProviderFailure): DomainFailure {
  return failure.kind === "unreachable"
    ? {
        code: "provider_unreachable",
        message: `Could not reach the email provider: ${failure.message}`,
      }
    : {
        code: "provider_refused",
        message: `The email provider refused ${name}: ${failure.message}`,
      };
}

async function teamDomain(env: Env, teamId: string, id: string): Promise<DomainRow | undefined> {
  return db(env).query.sendingDomain.findFirst({
    where: and(eq(schema.sendingDomain.id, id), eq(schema.sendingDomain.teamId, teamId)),
  });
}

/** The team's sending domains, oldest first. */
export async function listDomains(env: Env, teamId: string): Promise<DomainDto[]> {
  const rows = await db(env).query.sendingDomain.findMany({
    where: eq(schema.sendingDomain.teamId, teamId),
    orderBy: [asc(schema.sendingDomain.createdAt), asc(schema.sendingDomain.id)],
  });
  return rows.map(toDomainDto);
}

function taken(name: string, row: DomainRow, teamId: string): DomainFailure {
  return row.teamId === teamId
    ? { code: "conflict", message: `Your team has already added ${name}.` }
    : { code: "conflict", message: "This domain belongs to another team." };
}

/** Asks Resend to register `row`'s name and stores its answer; undoes the claim on failure. */
async function register(
  env: Env,
  account: { apiKey: string; baseUrl?: string },
  row: DomainRow,
): Promise<{ ok: true; domain: DomainDto } | { ok: false; failure: DomainFailure }> {
  const { data, error } = await resendClient(account).domains.create(
    { name: row.name },
    callOptions(),
  );
  const parsed = error ? null : ResendDomainSchema.safeParse(data);
  if (error || !parsed?.success) {
    await db(env)
      .delete(schema.sendingDomain)
      .where(and(eq(schema.sendingDomain.id, row.id), eq(schema.sendingDomain.teamId, row.teamId)));
    const failure = error
      ? providerFailure(error)
      : { kind: "refused" as const, message: "its answer was not in the expected shape" };
    return { ok: false, failure: fromProvider(row.name, failure) };
  }
  const stored = await storeDomainAnswer(env, row, parsed.data, new Date(clock.now()));
  await reassessMailboxesOn(env, row.name);
  return { ok: true, domain: toDomainDto(stored) };
}

/**
 * Registers a sending domain for the team with Resend (POST /domains) and keeps the DNS
 * records it asks for. A name is one team's only: Beacon's row is claimed first, so the
 * unique index decides between two teams adding it at once and Resend is called once.
 */
export async function addDomain(
  env: Env,
  teamId: string,
  input: DomainInput,
): Promise<{ ok: true; domain: DomainDto } | { ok: false; failure: DomainFailure }> {
  const account = resendAccount(env);
  if (!account) return { ok: false, failure: { code: "no_provider", message: NO_PROVIDER } };
  const existing = await domainByName(env, input.name);
  if (existing) return { ok: false, failure: taken(input.name, existing, teamId) };
  let claim: DomainRow;
  try {
    [claim] = await db(env)
      .insert(schema.sendingDomain)
      .values({
        id: crypto.randomUUID(),
        teamId,
        name: input.name,
        status: "registering",
        createdAt: new Date(clock.now()),
      })
      .returning();
  } catch (error) {
    if (!String(error).includes("UNIQUE constraint failed")) throw error;
    const winner = await domainByName(env, input.name);
    if (!winner) throw error;
    return { ok: false, failure: taken(input.name, winner, teamId) };
  }
  return register(env, account, claim);
}

export type CheckResult =
  | { ok: true; domain: DomainDto; failure: DomainFailure | null }
  | { ok: false; failure: DomainFailure }
  | null;

/**
 * "Check now": asks Resend to verify the DNS records (POST /domains/:id/verify) unless the
 * domain is verified already, reads its status (GET /domains/:id), stores both, and
 * re-assesses the mailboxes on it (those waiting get their confirmation link once it is
 * verified). Null when the team has no such domain.
 */
export async function checkDomain(env: Env, teamId: string, id: string): Promise<CheckResult> {
  const row = await teamDomain(env, teamId, id);
  if (!row) return null;
  const account = resendAccount(env);
  if (!account) return { ok: false, failure: { code: "no_provider", message: NO_PROVIDER } };
  // A registration that never finished (the Worker stopped mid-call) is retried.
  if (!row.resendId) {
    const retried = await register(env, account, row);
    return retried.ok ? { ok: true, domain: retried.domain, failure: null } : retried;
  }
  const now = () => new Date(clock.now());
  let { row: current, failure } = await fetchDomain(env, account, row, now());
  if (!failure && current.status !== "verified") {
    const { error } = await resendClient(account).domains.verify(row.resendId, callOptions());
    if (error) failure = providerFailure(error);
    else ({ row: current, failure } = await fetchDomain(env, account, current, now()));
  }
  await reassessMailboxesOn(env, current.name);
  return {
    ok: true,
    domain: toDomainDto(current),
    failure: failure ? fromProvider(current.name, failure) : null,
  };
}

/**
 * Polling: asks Resend again about the team's domains whose stored status is stale (see
 * domainRefreshDue), re-assessing mailboxes on any whose status changed. Provider
 * failures leave the stored status as it was: the page shows when it was last checked.
 */
export async function refreshStaleDomains(env: Env, teamId: string): Promise<void> {
  const account = resendAccount(env);
  if (!account) return;
  const rows = await db(env).query.sendingDomain.findMany({
    where: eq(schema.sendingDomain.teamId, teamId),
  });
  for (const row of rows) {
    if (!domainRefreshDue(row.status, row.checkedAt?.getTime() ?? null, clock.now())) continue;
    const { row: current } = await fetchDomain(env, account, row, new Date(clock.now()));
    if (current.status !== row.status) await reassessMailboxesOn(env, current.name);
  }
}

export type RemoveResult =
  | { ok: true; name: string }
  | { ok: false; failure: DomainFailure }
  | null;

/**
 * Removes a domain from Resend (DELETE /domains/:id) and from the team; its mailboxes stop
 * sending. Resend answering 404 means it is gone already, which is what was asked.
 */
export async function removeDomain(env: Env, teamId: string, id: string): Promise<RemoveResult> {
  const row = await teamDomain(env, teamId, id);
  if (!row) return null;
  const account = resendAccount(env);
  if (account && row.resendId) {
    const { error } = await resendClient(account).domains.remove(row.resendId, callOptions());
    if (error && error.statusCode !== 404) {
      return { ok: false, failure: fromProvider(row.name, providerFailure(error)) };
    }
  }
  await db(env)
    .delete(schema.sendingDomain)
    .where(and(eq(schema.sendingDomain.id, row.id), eq(schema.sendingDomain.teamId, teamId)));
  await reassessMailboxesOn(env, row.name);
  return { ok: true, name: row.name };
}
