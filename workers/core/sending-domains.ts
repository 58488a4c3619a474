import { z } from "zod";

const DOMAIN_HINT = "Enter a domain name such as acme.com or mail.acme.com (no http:// and no @)";

// Letters, digits and inner hyphens per label; a top-level label that is not all digits,
// so IP addresses and single words are refused. Internationalized names go in as xn--.
const DOMAIN_PATTERN =
  /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?!\d+$)[a-z0-9-]{2,63}$/;

export const DomainNameSchema = z
  .string({ error: DOMAIN_HINT })
  .trim()
  .toLowerCase()
  // A trailing dot is the fully qualified spelling of the same name.
  .transform((v) => v.replace(/\.$/, ""))
  .pipe(z.string().regex(DOMAIN_PATTERN, DOMAIN_HINT));

export const DomainInputSchema = z.object({ name: DomainNameSchema });
export type DomainInput = z.infer<typeof DomainInputSchema>;

/** One DNS record Resend asks for, as shown to the user. */
export const DnsRecordSchema = z.object({
  /** What it is for: SPF, DKIM, Receiving, Tracking… */
  record: z.string(),
  type: z.string(),
  name: z.string(),
  value: z.string(),
  ttl: z.string().optional(),
  priority: z.number().optional(),
  status: z.string().optional(),
});
export type DnsRecord = z.infer<typeof DnsRecordSchema>;

/** Statuses after which Resend stops checking by itself until asked again. */
const SETTLED = new Set(["verified", "failed"]);

/** The badge a domain status gets. */
export function domainTone(status: string): "ok" | "warn" | "danger" {
  if (status === "verified") return "ok";
  if (status === "failed" || status === "partially_failed" || status === "lost") return "danger";
  return "warn";
}

const STATUS_LABELS: Record<string, string> = {
  registering: "Registering",
  awaiting_proof: "Prove DNS ownership",
  lost: "Verified by another team",
  not_started: "Not checked yet",
  pending: "Checking DNS",
  verified: "Verified",
  partially_verified: "Partly verified",
  partially_failed: "Partly failed",
  failed: "Failed",
  temporary_failure: "Temporary failure",
};

export function domainStatusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status.replaceAll("_", " ");
}

/** What the user should do next for a domain in this status. */
export function domainAdvice(status: string): string {
  switch (status) {
    case "verified":
      return "Mailboxes on this domain can send once their address is confirmed.";
    case "registering":
      return "Registration with the email provider did not finish. Check now to try again.";
    case "awaiting_proof":
      return "Another team has started verifying this domain. Publish this TXT record at your DNS host, then press Check now: the first team to prove it controls the domain's DNS gets it. Unverified claims expire after 72 hours.";
    case "lost":
      return "Another team proved it controls this domain's DNS first, so this claim can no longer be verified and mailboxes on it cannot send. Remove it.";
    case "failed":
    case "partially_failed":
      return "The email provider could not find these records. Fix them at your DNS host, then Check now.";
    case "pending":
    case "temporary_failure":
    case "partially_verified":
      return "The email provider is looking for these records; DNS changes can take a few hours to show.";
    default:
      return "Add these records at your DNS host, then press Check now.";
  }
}

/**
 * How long a status is trusted before a page view asks Resend again: statuses Resend is
 * still working on go stale quickly; settled ones rarely change.
 */
export function domainRefreshDue(status: string, checkedAt: number | null, now: number): boolean {
  if (status === "registering" || status === "awaiting_proof" || status === "lost") return false;
  if (checkedAt === null) return true;
  const maxAge = SETTLED.has(status) ? 6 * 60 * 60_000 : 30_000;
  return now - checkedAt >= maxAge;
}

/** Whether Resend keeps checking this domain by itself, so a page should keep polling. */
export function domainInProgress(status: string): boolean {
  return status === "pending" || status === "temporary_failure" || status === "partially_verified";
}

// ── Claims: who may claim a name, who holds it, when an unverified claim expires (ADR 0022)

/** An unverified claim is released this long after it was made. */
export const CLAIM_TTL_MS = 72 * 60 * 60_000;

/** The expiry cutoff: unverified claims created at or before it are released. */
export function claimExpiryCutoff(now: number): number {
  return now - CLAIM_TTL_MS;
}

/** One team's claim of a name, as the rules see it. */
export type Claim = { teamId: string; status: string; createdAt: number };

/** Whether a claim still counts: verified, or unverified, not lost and younger than 72 h. */
export function claimLive(claim: Claim, now: number): boolean {
  if (claim.status === "verified") return true;
  if (claim.status === "lost") return false;
  return claim.createdAt > claimExpiryCutoff(now);
}

export type ClaimDecision =
  /** Nobody else holds the name: register it with Resend now. */
  | { kind: "register" }
  /** Another team holds it unverified: this team proves DNS control with a TXT record. */
  | { kind: "challenge" }
  | { kind: "refused"; message: string };

/**
 * Whether `teamId` may claim a name, given every claim of it: a verified claim belongs to
 * its team; an unverified one does not stop another team from proving DNS itself.
 */
export function claimDecision(claims: Claim[], teamId: string, now: number): ClaimDecision {
  const live = claims.filter((c) => claimLive(c, now));
  const own = claims.find((c) => c.teamId === teamId);
  if (own) {
    return {
      kind: "refused",
      message:
        own.status === "lost"
          ? "Another team verified this domain first. Remove your lost claim before adding it again."
          : "Your team has already added this domain.",
    };
  }
  if (live.some((c) => c.status === "verified")) {
    return { kind: "refused", message: "This domain belongs to another team." };
  }
  return live.length > 0 ? { kind: "challenge" } : { kind: "register" };
}

/** Where a challenger publishes its proof, and what it publishes. */
export function challengeRecord(name: string, token: string): DnsRecord {
  return {
    record: "Ownership",
    type: "TXT",
    name: `_beacon-challenge.${name}`,
    value: `beacon-verify=${token}`,
  };
}

/** Whether the TXT strings found at the challenge name contain this claim's value. */
export function challengeProved(expected: string, found: string[]): boolean {
  return found.some((txt) => txt.replace(/^"|"$/g, "").replaceAll('" "', "") === expected);
}

// ── Mailbox confirmation

/** A confirmation link works for a week after it was emailed. */
export const CONFIRMATION_TTL_MS = 7 * 24 * 60 * 60_000;
/** Resync sends a fresh link at most this often, so double clicks send one email. */
export const CONFIRMATION_RESEND_GAP_MS = 60_000;

/** Everything that decides whether a mailbox may send, read from D1 and the provider. */
export type SendingFacts =
  | { mode: "sink" }
  | {
      mode: "provider";
      address: string;
      /** The address's domain as registered in Beacon (exact name), if anyone has it. */
      domain: { ours: true; name: string; status: string } | { ours: false; name: string } | null;
      domainName: string;
      confirmedAt: number | null;
      /** The latest link emailed, or why emailing it failed just now. */
      confirmation: { sentAt: number } | { error: string } | null;
    };

export type SendingHealth = { canSend: boolean; problem: string | null };

/**
 * Whether a mailbox can send and, if not, what to do. Resend sends only from a verified
 * domain with exactly the address's name (a verified acme.com does not cover mail.acme.com),
 * so the address's own domain must be a verified domain of the team.
 */
export function sendingHealth(f: SendingFacts): SendingHealth {
  if (f.mode === "sink") return { canSend: true, problem: null };
  const { domain, domainName } = f;
  if (!domain) {
    return {
      canSend: false,
      problem: `Add and verify ${domainName} under Settings → Sending domains. The mailbox is saved and can send once its domain is verified and its address confirmed.`,
    };
  }
  if (!domain.ours) {
    return {
      canSend: false,
      problem: `The domain ${domainName} belongs to another team, so this mailbox cannot send.`,
    };
  }
  if (domain.status !== "verified") {
    return {
      canSend: false,
      problem: `The domain ${domainName} is not verified yet (${domainStatusLabel(domain.status).toLowerCase()}). Publish its DNS records, then press Check now under Settings → Sending domains.`,
    };
  }
  if (f.confirmedAt !== null) return { canSend: true, problem: null };
  if (f.confirmation && "error" in f.confirmation) {
    return {
      canSend: false,
      problem: `Could not email the confirmation link to ${f.address}: ${f.confirmation.error}. Resync to try again.`,
    };
  }
  return {
    canSend: false,
    problem: f.confirmation
      ? `Confirm the address: open the link we emailed to ${f.address}. Resync sends a new link.`
      : `Confirm the address: Resync emails a confirmation link to ${f.address}.`,
  };
}

/** Whether a confirmation link should be emailed now. */
export function confirmationDue(
  f: SendingFacts,
  sentAt: number | null,
  now: number,
  resend: boolean,
): boolean {
  if (f.mode === "sink" || f.confirmedAt !== null) return false;
  if (!f.domain?.ours || f.domain.status !== "verified") return false;
  if (sentAt === null || now - sentAt >= CONFIRMATION_TTL_MS) return true;
  return resend && now - sentAt >= CONFIRMATION_RESEND_GAP_MS;
}

/** The token of a confirmation link: 32 random bytes in base32 (52 characters). */
export const ConfirmTokenSchema = z.string().regex(/^[a-z2-7]{52}$/);

function escapeHtml(s: string): string {
  return s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** The confirmation email, from the system address of the verified domain. */
export function confirmationEmail(args: {
  address: string;
  senderName: string;
  domain: string;
  teamName: string;
  addedBy: string;
  link: string;
}): { from: string; to: string; subject: string; text: string; html: string } {
  const lines = [
    `${args.addedBy} added ${args.address} as a mailbox of the team “${args.teamName}” in Beacon, to send outreach as “${args.senderName}”.`,
    "",
    "If that was you or your team, confirm the address (sign in as a member of the team):",
    args.link,
    "",
    "The link works for 7 days. If you did not expect this email, ignore it: nothing is sent from this address until it is confirmed.",
  ];
  const e = escapeHtml;
  const html = [
    `<p>${e(args.addedBy)} added <strong>${e(args.address)}</strong> as a mailbox of the team “${e(args.teamName)}” in Beacon, to send outreach as “${e(args.senderName)}”.</p>`,
    `<p>If that was you or your team, confirm the address (sign in as a member of the team):</p>`,
    `<p><a href="${e(args.link)}">Confirm ${e(args.address)}</a></p>`,
    `<p>The link works for 7 days. If you did not expect this email, ignore it: nothing is sent from this address until it is confirmed.</p>`,
  ].join("\n");
  return {
    from: `Beacon <noreply@${args.domain}>`,
    to: args.address,
    subject: `Confirm ${args.address} for sending from Beacon`,
    text: lines.join("\n"),
    html,
  };
}
