import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { clock } from "../clock";
import { STATUS_LABELS } from "../core/engine/statuses";
import { bareAddress, routeOf } from "../core/inbound/routing";
import { sampleBounce, sampleOutOfOffice, sampleReply } from "../core/inbound/samples";
import { campaignStub } from "../data/campaigns";
import { findTeamMessage, personName } from "../data/email-log";
import { resendAccount } from "../data/resend-account";
import { db, schema } from "../db/client";
import { config } from "../env";
import { handleEmail } from "./handler";

/*
 * "Simulate reply / out-of-office / bounce" in the Email Log, for local development: real
 * RFC 822 mail answering a message the sink "sent", handed to the same `email` handler
 * Email Routing would call, so the whole path (classify, match, apply, log) runs.
 */

export const SimulateKindSchema = z.enum(["reply", "out_of_office", "bounce"], {
  error: "Choose reply, out-of-office or bounce",
});
export type SimulateKind = z.infer<typeof SimulateKindSchema>;

export const SIMULATE_LABELS: Record<SimulateKind, string> = {
  reply: "a reply",
  out_of_office: "an out-of-office",
  bounce: "a bounce",
};

/** What the handler did with one simulated message, as Email Routing would see it. */
export type Delivery = { rejected: string | null; forwards: string[]; replies: number };

export type SimulateResult =
  | {
      ok: true;
      kind: SimulateKind;
      /** The envelope sender of the simulated mail. */
      from: string;
      /** The inbound_mail row's outcome, in words. */
      outcome: string;
      matched: boolean;
      delivery: Delivery;
      /** Where the answered prospect stands now, read back from its campaign. */
      prospect: { name: string; campaign: string; status: string; reason: string | null } | null;
    }
  | {
      ok: false;
      code:
        | "not_sink"
        | "no_inbound_domain"
        | "not_found"
        | "not_sent"
        | "no_copy"
        | "rejected"
        | "failed";
      message: string;
    };

const SinkHeadersSchema = z.record(z.string(), z.string());

/** The headers the sink stored with a message (JSON), or null when unreadable. */
function sinkHeaders(json: string): Record<string, string> | null {
  try {
    const parsed = SinkHeadersSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Email Routing's message, made from bytes we built, recording what the handler asks of it. */
function routedMessage(
  raw: string,
  from: string,
  to: string,
  delivery: Delivery,
): ForwardableEmailMessage {
  const bytes = new TextEncoder().encode(raw);
  return {
    from,
    to,
    raw: new Blob([bytes]).stream(),
    rawSize: bytes.byteLength,
    headers: new Headers(),
    canBeForwarded: true,
    setReject(reason: string) {
      delivery.rejected = reason;
    },
    async forward(rcptTo: string) {
      delivery.forwards.push(rcptTo);
      return { messageId: `<simulated-forward-${crypto.randomUUID()}@beacon.local>` };
    },
    async reply() {
      delivery.replies += 1;
      return { messageId: `<simulated-reply-${crypto.randomUUID()}@beacon.local>` };
    },
  };
}

const LONG_DATE = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});

/** The first lines of our text, quoted below a reply as mail apps do. */
function quotable(text: string): string {
  return text.split(/\r?\n/).slice(0, 8).join("\n");
}

type Sent = {
  to: string;
  from: string;
  subject: string;
  text: string;
  messageId: string;
  replyTo: string;
  name: string | null;
};

function build(kind: SimulateKind, s: Sent, messageId: string, now: number) {
  const date = new Date(now);
  const person = s.name ? `${s.name.replace(/["\\]/g, "")} <${s.to}>` : s.to;
  if (kind === "reply") {
    return {
      from: s.to,
      raw: sampleReply({
        from: person,
        to: s.replyTo,
        subject: `Re: ${s.subject}`,
        inReplyTo: s.messageId,
        date,
        messageId,
        text: "Thanks for reaching out. I'd be glad to hear more: does Thursday afternoon work for a call?",
        quoted: quotable(s.text),
      }),
    };
  }
  if (kind === "out_of_office") {
    const back = LONG_DATE.format(new Date(now + 7 * 24 * 60 * 60 * 1000));
    return {
      from: s.to,
      raw: sampleOutOfOffice({
        from: person,
        to: s.replyTo,
        subject: `Automatic reply: ${s.subject}`,
        inReplyTo: s.messageId,
        date,
        messageId,
        text: `I am out of the office and will be back on ${back}, with limited access to email.`,
        withHeaders: true,
      }),
    };
  }
  const host = s.to.split("@")[1] ?? "example.org";
  const daemon = `MAILER-DAEMON@mx.${host}`;
  return {
    from: daemon,
    raw: sampleBounce({
      from: `Mail Delivery System <${daemon}>`,
      to: s.replyTo,
      date,
      messageId,
      recipient: s.to,
      status: "5.1.1",
      diagnostic: `550 5.1.1 <${s.to}>: Recipient address rejected: User unknown in virtual mailbox table`,
      original: {
        messageId: s.messageId,
        references: [s.messageId],
        subject: s.subject,
        from: s.from,
      },
    }),
  };
}

/**
 * Builds the mail a recipient (or their mail server) would send back to one of the team's
 * sent emails and pushes it through `handleEmail`; answers what Beacon did. Only with the
 * local sink (a real provider's recipients answer for themselves) and an inbound domain
 * (without one, emails carry no reply address to answer).
 */
export async function simulateInbound(
  env: Env,
  teamId: string,
  emailLogId: string,
  kind: SimulateKind,
): Promise<SimulateResult> {
  if (resendAccount(env)) {
    return {
      ok: false,
      code: "not_sink",
      message:
        "Simulating replies works only with the local sink (no RESEND_API_KEY): with a provider, real replies arrive through Email Routing.",
    };
  }
  const inboundDomain = config(env).INBOUND_DOMAIN;
  if (!inboundDomain) {
    return {
      ok: false,
      code: "no_inbound_domain",
      message:
        "INBOUND_DOMAIN is empty, so emails carry no reply address to answer: set it in .dev.vars (e.g. inbound.beacon.localhost) and restart.",
    };
  }
  const row = await findTeamMessage(env, teamId, emailLogId);
  if (!row)
    return { ok: false, code: "not_found", message: "No such message in your team's Email Log." };
  if (row.channel !== "email" || row.sentAt === null || row.to === null) {
    return { ok: false, code: "not_sent", message: "Only an email that was sent can be answered." };
  }
  const [copy] = await db(env)
    .select()
    .from(schema.sinkMessage)
    .where(
      and(
        eq(schema.sinkMessage.id, row.id),
        eq(schema.sinkMessage.teamId, teamId),
        eq(schema.sinkMessage.channel, "email"),
      ),
    )
    .limit(1);
  const headers = copy ? sinkHeaders(copy.headers) : null;
  const ourId = headers?.["Message-ID"];
  const replyTo = headers?.["Reply-To"] ?? "";
  if (!copy || !ourId) {
    return {
      ok: false,
      code: "no_copy",
      message: "The local sink holds no copy of this email to answer.",
    };
  }
  if (routeOf(replyTo, inboundDomain).via !== "reply") {
    return {
      ok: false,
      code: "no_copy",
      message: `This email was sent without a reply address at ${inboundDomain} (INBOUND_DOMAIN was empty or different then): simulate on an email sent since.`,
    };
  }
  const to = bareAddress(copy.to) ?? copy.to;
  const now = clock.now();
  // Stored without angle brackets, as the classifier reads Message-IDs; random, so the row is ours.
  const messageId = `sim-${crypto.randomUUID()}@${to.split("@")[1] ?? "example.org"}`;
  const mail = build(
    kind,
    {
      to,
      from: copy.from ?? "",
      subject: copy.subject ?? row.subject ?? "",
      text: copy.text,
      messageId: ourId,
      replyTo,
      name: await personName(env, teamId, row.personId),
    },
    `<${messageId}>`,
    now,
  );
  const delivery: Delivery = { rejected: null, forwards: [], replies: 0 };
  try {
    await handleEmail(routedMessage(mail.raw, mail.from, replyTo, delivery), env);
  } catch (error) {
    // The handler has logged it; a real delivery would be retried by the platform.
    const why = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      code: "failed",
      message: `The email handler failed (${why}); nothing was applied.`,
    };
  }
  if (delivery.rejected) {
    return {
      ok: false,
      code: "rejected",
      message: `The email handler rejected it: ${delivery.rejected}`,
    };
  }
  const [logged] = await db(env)
    .select({ outcome: schema.inboundMail.outcome, matched: schema.inboundMail.matched })
    .from(schema.inboundMail)
    .where(eq(schema.inboundMail.messageId, messageId))
    .limit(1);
  if (!logged) {
    return {
      ok: false,
      code: "failed",
      message: "The email handler accepted it but logged nothing.",
    };
  }
  const after = await (await campaignStub(env, row.campaignId)).outreach(row.personId);
  return {
    ok: true,
    kind,
    from: mail.from,
    outcome: logged.outcome,
    matched: logged.matched,
    delivery,
    prospect: after
      ? {
          name: after.prospect.name,
          campaign: after.campaign.name,
          status: STATUS_LABELS[after.prospect.status],
          reason: after.prospect.reasonLabel ?? null,
        }
      : null,
  };
}

/** What a simulation did, in words for the Email Log's notice; the log's own line as detail. */
export function describeSimulation(r: Extract<SimulateResult, { ok: true }>) {
  const where = r.prospect
    ? ` ${r.prospect.name || "The prospect"} is now ${r.prospect.status} in “${r.prospect.campaign}”${
        r.prospect.reason ? `: ${r.prospect.reason}` : ""
      }.`
    : "";
  const forwarded =
    r.delivery.forwards.length > 0
      ? ` Forwarded to ${r.delivery.forwards.join(", ")} (simulated: nothing left this machine).`
      : "";
  return {
    message: `Simulated ${SIMULATE_LABELS[r.kind]} from ${r.from}.${r.matched ? where : " It matched nothing, so nothing changed."}${forwarded}`,
    detail: `${r.matched ? "Inbound log" : "Unmatched"}: ${r.outcome}`,
  };
}
