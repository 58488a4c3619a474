import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "@workers/app";
import { db, schema } from "@workers/db/client";
import { eq } from "drizzle-orm";
import { z } from "zod";
import {
  createCampaign,
  type EngineTeam,
  emailStage,
  enroll,
  runAlarm,
  sinkMessages,
} from "../helpers/engine";

/** What the email handler did with a message, as Email Routing would see it. */
export type Delivery = { rejected: string | null; forwards: string[]; threw: unknown };

/** Hands raw RFC 822 mail to the Worker's own `email` handler, as Email Routing does. */
export async function deliver(
  raw: string | Uint8Array,
  envelope: { from: string; to: string; rawSize?: number; forwardFails?: boolean },
): Promise<Delivery> {
  const bytes = typeof raw === "string" ? new TextEncoder().encode(raw) : raw;
  const out: Delivery = { rejected: null, forwards: [], threw: null };
  const message = {
    from: envelope.from,
    to: envelope.to,
    raw: new Blob([new Uint8Array(bytes)]).stream(),
    rawSize: envelope.rawSize ?? bytes.byteLength,
    headers: new Headers(),
    canBeForwarded: true,
    setReject(reason: string) {
      out.rejected = reason;
    },
    async forward(rcptTo: string) {
      if (envelope.forwardFails) throw new Error("destination address not verified");
      out.forwards.push(rcptTo);
      return { messageId: "fwd" };
    },
    async reply() {
      return { messageId: "reply" };
    },
  } as unknown as ForwardableEmailMessage;
  const ctx = createExecutionContext();
  try {
    await worker.email?.(message, env);
  } catch (error) {
    out.threw = error;
  }
  await waitOnExecutionContext(ctx);
  return out;
}

const Headers_ = z.record(z.string(), z.string());

/** A campaign that has sent stage 1 to each person (through the sink) and waits 3 days for stage 2. */
export async function sentStageOne(
  t: EngineTeam,
  people: { firstName: string; address: string }[],
) {
  const ids = await t.people(
    people.map((p) => ({
      firstName: p.firstName,
      emails: [{ address: p.address, type: "personal" as const }],
    })),
  );
  const c = await createCampaign(t, {
    name: "Replies",
    stages: [
      emailStage(t.mailboxId, 0, { subject: "A role for {{firstName}}" }),
      emailStage(t.mailboxId, 3 * 24 * 60, { sameThread: true }),
    ],
  });
  await enroll(t, c.id, ids);
  await runAlarm(c.id);
  const sent = await sinkMessages(t.teamId);
  const byTo = new Map(
    sent.map((m) => {
      const h = Headers_.parse(JSON.parse(m.headers));
      return [
        m.to.toLowerCase(),
        { messageId: h["Message-ID"], replyTo: h["Reply-To"] ?? "", subject: m.subject ?? "" },
      ];
    }),
  );
  return { campaign: c, ids, byTo };
}

/** The inbound mail log of a team (newest first). */
export async function inboundOf(teamId: string | null) {
  const rows = await db(env).select().from(schema.inboundMail);
  return rows.filter((r) => r.teamId === teamId).sort((a, b) => b.receivedAt - a.receivedAt);
}

export async function suppressedOf(teamId: string) {
  return db(env).select().from(schema.suppression).where(eq(schema.suppression.teamId, teamId));
}
