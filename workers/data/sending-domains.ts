import { and, asc, eq, lte, ne } from "drizzle-orm";
import { z } from "zod";
import { clock } from "../clock";
import {
  challengeProved,
  challengeRecord,
  claimDecision,
  claimExpiryCutoff,
  type DomainInput,
  domainRefreshDue,
} from "../core/sending-domains";
import { db, schema } from "../db/client";
import {
  claimsOf,
  type DomainDto,
  type DomainRow,
  fetchDomain,
  markOtherClaimsLost,
  ResendDomainSchema,
  recordsOf,
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

const LOST =
  "Another team proved it controls this domain's DNS first, so your claim can no longer be verified. Remove it.";

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
 * Claims a sending domain for the team (ADR 0022). When nobody else holds the name it is
 * registered with Resend (POST /domains) and its DNS records kept; when another team holds
 * it unverified, this team gets a TXT challenge of its own to prove DNS control; a name
 * another team verified is refused. Expired claims of the name are released first.
 */
export async function addDomain(
  env: Env,
  teamId: string,
  input: DomainInput,
): Promise<{ ok: true; domain: DomainDto } | { ok: false; failure: DomainFailure }> {
  const account = resendAccount(env);
  if (!account) return { ok: false, failure: { code: "no_provider", message: NO_PROVIDER } };
  const now = clock.now();
  let claims = await claimsOf(env, input.name);
  const decision = () =>
    claimDecision(
      claims.map((c) => ({ teamId: c.teamId, status: c.status, createdAt: c.createdAt.getTime() })),
      teamId,
      now,
    );
  let verdict = decision();
  if (verdict.kind === "register" && claims.some((c) => c.teamId !== teamId)) {
    // Expired or lost claims of other teams hold nothing: release them (and their Resend
    // registration, which would refuse this one) before registering.
    for (const stale of claims.filter((c) => c.teamId !== teamId)) {
      await releaseClaim(env, account, stale);
    }
    claims = await claimsOf(env, input.name);
    verdict = decision();
  }
  if (verdict.kind === "refused") {
    return { ok: false, failure: { code: "conflict", message: verdict.message } };
  }
  const challenge = verdict.kind === "challenge";
  let claim: DomainRow;
  try {
    [claim] = await db(env)
      .insert(schema.sendingDomain)
      .values({
        id: crypto.randomUUID(),
        teamId,
        name: input.name,
        status: challenge ? "awaiting_proof" : "registering",
        records: challenge
          ? JSON.stringify([challengeRecord(input.name, challengeToken())])
          : undefined,
        createdAt: new Date(now),
      })
      .returning();
  } catch (error) {
    if (!String(error).includes("UNIQUE constraint failed")) throw error;
    return {
      ok: false,
      failure: { code: "conflict", message: "Your team has already added this domain." },
    };
  }
  if (challenge) return { ok: true, domain: toDomainDto(claim) };
  return register(env, account, claim);
}

/** 128 random bits in hex: the value a challenger publishes. */
function challengeToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// DNS-over-HTTPS answers cross a boundary: only the TXT strings are used.
const DohAnswerSchema = z.object({
  Status: z.number(),
  Answer: z.array(z.object({ type: z.number(), data: z.string() })).optional(),
});
const DOH_URL = "https://cloudflare-dns.com/dns-query";
const TXT = 16;

/** The TXT strings at `name`, or why they could not be read. */
async function lookupTxt(name: string): Promise<{ txt: string[] } | { error: string }> {
  try {
    const url = `${DOH_URL}?name=${encodeURIComponent(name)}&type=TXT`;
    const res = await fetch(url, {
      headers: { accept: "application/dns-json" },
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) return { error: `the DNS lookup answered ${res.status}` };
    const parsed = DohAnswerSchema.safeParse(await res.json());
    if (!parsed.success) return { error: "the DNS lookup answer was not in the expected shape" };
    return { txt: (parsed.data.Answer ?? []).filter((a) => a.type === TXT).map((a) => a.data) };
  } catch (error) {
    return { error: `could not look up DNS: ${String(error)}` };
  }
}

/**
 * A challenger's Check now: when its TXT record is published, it has proved DNS control
 * first, so every other team's unverified claim is lost and this claim is registered with
 * Resend (whose records it then publishes and verifies as usual).
 */
async function checkChallenge(
  env: Env,
  account: { apiKey: string; baseUrl?: string },
  row: DomainRow,
): Promise<Exclude<CheckResult, null>> {
  const [expected] = recordsOf(row);
  if (!expected) return { ok: true, domain: toDomainDto(row), failure: null };
  const found = await lookupTxt(expected.name);
  const checked = { checkedAt: new Date(clock.now()) };
  const d = schema.sendingDomain;
  const [current] = await db(env)
    .update(d)
    .set(checked)
    .where(and(eq(d.id, row.id), eq(d.teamId, row.teamId)))
    .returning();
  if ("error" in found) {
    return {
      ok: true,
      domain: toDomainDto(current ?? row),
      failure: { code: "provider_refused", message: `Could not check ${row.name}: ${found.error}` },
    };
  }
  if (!challengeProved(expected.value, found.txt)) {
    return { ok: true, domain: toDomainDto(current ?? row), failure: null };
  }
  const holders = await claimsOf(env, row.name);
  if (holders.some((c) => c.teamId !== row.teamId && c.status === "verified")) {
    return { ok: true, domain: toDomainDto(current ?? row), failure: null };
  }
  await markOtherClaimsLost(env, row);
  const [registering] = await db(env)
    .update(d)
    .set({ status: "registering" })
    .where(and(eq(d.id, row.id), eq(d.teamId, row.teamId), eq(d.status, "awaiting_proof")))
    .returning();
  if (!registering) return { ok: true, domain: toDomainDto(current ?? row), failure: null };
  const registered = await register(env, account, registering);
  return registered.ok ? { ok: true, domain: registered.domain, failure: null } : registered;
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
  if (row.status === "lost") return { ok: false, failure: { code: "conflict", message: LOST } };
  const account = resendAccount(env);
  if (!account) return { ok: false, failure: { code: "no_provider", message: NO_PROVIDER } };
  if (row.status === "awaiting_proof") return checkChallenge(env, account, row);
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

/**
 * Releases a claim that holds nothing any more (expired or lost): removes its Resend
 * registration (404 is gone already) and its row, and re-assesses mailboxes on the name.
 * False when Resend could not be asked: the claim stays for the next try.
 */
export async function releaseClaim(
  env: Env,
  account: { apiKey: string; baseUrl?: string } | null,
  row: DomainRow,
): Promise<boolean> {
  if (account && row.resendId) {
    const { error } = await resendClient(account).domains.remove(row.resendId, callOptions());
    if (error && error.statusCode !== 404) return false;
  }
  const d = schema.sendingDomain;
  await db(env)
    .delete(d)
    .where(and(eq(d.id, row.id), eq(d.teamId, row.teamId), ne(d.status, "verified")));
  await reassessMailboxesOn(env, row.name);
  return true;
}

/** Unverified claims (lost ones too) made at or before the 72-hour cutoff, oldest first. */
export async function expiredClaims(env: Env, now: number, limit: number): Promise<DomainRow[]> {
  const d = schema.sendingDomain;
  return db(env)
    .select()
    .from(d)
    .where(and(ne(d.status, "verified"), lte(d.createdAt, new Date(claimExpiryCutoff(now)))))
    .orderBy(asc(d.createdAt), asc(d.id))
    .limit(limit);
}
