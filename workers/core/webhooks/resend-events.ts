import { z } from "zod";
import type { EmailStatus, Reason } from "../engine/statuses";
import { blankVerdict, outcomeOf } from "../inbound/outcome";
import type { BounceReason } from "../inbound/types";

/** The Resend webhook events Beacon acts on (email.opened/clicked are ours: /t/*). */
export const RESEND_EVENT_TYPES = [
  "email.sent",
  "email.delivered",
  "email.delivery_delayed",
  "email.bounced",
  "email.complained",
  "email.failed",
  "email.suppressed",
] as const;

const HeaderListSchema = z
  .union([
    z.array(z.object({ name: z.string(), value: z.string() })),
    z
      .record(z.string(), z.string())
      .transform((o) => Object.entries(o).map(([name, value]) => ({ name, value }))),
  ])
  .optional();

/** The parts of a Resend `email.*` event read here; Resend sends more. */
export const ResendEventSchema = z.object({
  type: z.string().min(1),
  created_at: z.string().optional(),
  data: z
    .object({
      email_id: z.string().min(1).optional(),
      to: z.union([z.array(z.string()), z.string()]).optional(),
      headers: HeaderListSchema,
      bounce: z
        .object({
          type: z.string().optional(),
          subType: z.string().optional(),
          message: z.string().optional(),
        })
        .optional(),
      failed: z.object({ reason: z.string().optional() }).optional(),
      suppressed: z
        .object({ type: z.string().optional(), message: z.string().optional() })
        .optional(),
    })
    .passthrough(),
});
export type ResendEvent = z.infer<typeof ResendEventSchema>;

/** What an event does, in the inbound classifier's terms (outcome.ts). */
export type DeliveryEffect = {
  /** The Email Log status the event reports. */
  emailLog: Extract<EmailStatus, "sent" | "delivered" | "bounced" | "spam" | "not_delivered">;
  /** The prospect's new reason, or null. */
  prospect: Reason | null;
  /** Never email this address again. */
  suppress: boolean;
  /** The provider's words, for the Email Log and the prospect's history. */
  detail: string | null;
};

/** Resend's bounce sub-types (SES's) in the classifier's vocabulary. */
const BOUNCE_SUBTYPES: Record<string, BounceReason> = {
  general: "undefined",
  noemail: "userunknown",
  suppressed: "userunknown",
  onaccountsuppressionlist: "userunknown",
  mailboxfull: "mailboxfull",
  messagetoolarge: "mesgtoobig",
  contentrejected: "contenterror",
  attachmentrejected: "contenterror",
};

const clip = (s: string | undefined | null) => (s ? s.slice(0, 500) : null);

/**
 * An event's effect, or null when it changes nothing (a delay warning, an event type not
 * handled). Bounces and complaints go through the inbound classifier's one mapping
 * (`outcomeOf`), so a webhook and a bounce report of the same failure agree: permanent →
 * Bounced `hard_bounce` + suppression; transient → Not Delivered `soft_bounce`; a complaint
 * → Spam `complaint` + suppression. Resend's own suppression counts as a hard bounce; a
 * failed send (the provider would not take it) → Not Delivered `provider_rejected`.
 */
export function deliveryEffect(e: ResendEvent): DeliveryEffect | null {
  switch (e.type) {
    case "email.sent":
      return { emailLog: "sent", prospect: null, suppress: false, detail: null };
    case "email.delivered":
      return { emailLog: "delivered", prospect: null, suppress: false, detail: null };
    case "email.bounced":
    case "email.suppressed": {
      const b = e.data.bounce;
      const permanent =
        e.type === "email.suppressed" || (b?.type ?? "").toLowerCase() === "permanent";
      const sub = (b?.subType ?? "").toLowerCase();
      const out = outcomeOf(
        blankVerdict("bounce", {
          bounce: {
            class: permanent ? "hard" : "soft",
            reason: BOUNCE_SUBTYPES[sub] ?? (permanent ? "userunknown" : "undefined"),
            recipient: null,
            status: null,
            diagnostic: b?.message ?? e.data.suppressed?.message ?? null,
            delayed: false,
          },
        }),
      );
      if (!out.emailLog) return null;
      const detail =
        e.type === "email.suppressed"
          ? `Suppressed by the provider${e.data.suppressed?.message ? `: ${e.data.suppressed.message}` : ""}`
          : [b?.type, b?.subType, b?.message].filter(Boolean).join(": ");
      return {
        emailLog: out.emailLog,
        prospect: out.prospect?.reason ?? null,
        suppress: out.suppress,
        detail: clip(detail),
      };
    }
    case "email.complained": {
      const out = outcomeOf(blankVerdict("complaint"));
      return {
        emailLog: out.emailLog ?? "spam",
        prospect: out.prospect?.reason ?? null,
        suppress: out.suppress,
        detail: "The recipient marked the email as spam",
      };
    }
    case "email.failed":
      return {
        emailLog: "not_delivered",
        prospect: "provider_rejected",
        suppress: false,
        detail: clip(e.data.failed?.reason ?? "The provider could not send it"),
      };
    default:
      // email.delivery_delayed: the provider is still retrying; nothing has failed yet.
      return null;
  }
}

/** How far along a message is: a later event never moves it back. */
const RANK: Record<string, number> = {
  sent: 1,
  delivered: 2,
  not_delivered: 3,
  bounced: 4,
  spam: 4,
};

/**
 * The Email Log status after a delivery event, or null for no change — events arrive in
 * any order: sent < delivered < not delivered < bounced = spam, and a status only moves
 * forward (a late `delivered` never overwrites `bounced`; the first of bounced and spam
 * stays). A message not yet sent (waiting, held, in flight) or ended otherwise (canceled,
 * failed) is not changed.
 */
export function nextEmailStatus(
  current: string,
  incoming: DeliveryEffect["emailLog"],
): DeliveryEffect["emailLog"] | null {
  const from = RANK[current];
  if (from === undefined) return null;
  return RANK[incoming] > from ? incoming : null;
}

/** Our Email Log row id from a Message-ID or References value naming it on our host. */
export function ourRowIds(headerValue: string, host: string): string[] {
  const out: string[] = [];
  const re = /<?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@([^>\s]+)>?/gi;
  for (const m of headerValue.matchAll(re)) {
    if (m[2].toLowerCase() === host.toLowerCase()) out.push(m[1].toLowerCase());
  }
  return out;
}

/** Our row ids named in the event's headers (Message-ID first, then References). */
export function rowIdsInHeaders(e: ResendEvent, host: string): string[] {
  const headers = e.data.headers ?? [];
  const pick = (n: string) =>
    headers.filter((h) => h.name.toLowerCase() === n).flatMap((h) => ourRowIds(h.value, host));
  return [...new Set([...pick("message-id"), ...pick("references").reverse()])];
}
