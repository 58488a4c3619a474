import { Webhook, WebhookVerificationError } from "svix";
import { clock } from "../clock";
import {
  deliveryEffect,
  type ResendEvent,
  ResendEventSchema,
  rowIdsInHeaders,
} from "../core/webhooks/resend-events";
import { campaignStub } from "../data/campaigns";
import { config } from "../env";
import { errorResponse, validationError } from "../http/errors";
import { suppressAddresses } from "../inbound/lookup";
import { readBoundedBody } from "./body";

/** Resend's event payloads are a few kilobytes; anything near this is not Resend's. */
export const MAX_RESEND_EVENT_BYTES = 256 * 1024;
const ACTOR = { kind: "system", id: "resend-webhook" } as const;

const unauthorized = (message: string) => errorResponse(401, "unauthorized", message);

type LogRow = {
  id: string;
  team_id: string;
  campaign_id: string;
  person_id: string;
  to: string | null;
};

/** Our message the event is about: by the provider's id we stored, else by our id in its headers. */
async function findMessage(env: Env, e: ResendEvent): Promise<LogRow | null> {
  const cols = 'id, team_id, campaign_id, person_id, "to"';
  if (e.data.email_id) {
    const row = await env.DB.prepare(
      `SELECT ${cols} FROM email_log WHERE provider_id = ? AND channel = 'email' LIMIT 1`,
    )
      .bind(e.data.email_id)
      .first<LogRow>();
    if (row) return row;
  }
  const host = new URL(config(env).PUBLIC_URL).hostname;
  for (const id of rowIdsInHeaders(e, host)) {
    const row = await env.DB.prepare(`SELECT ${cols} FROM email_log WHERE id = ?`)
      .bind(id)
      .first<LogRow>();
    if (row) return row;
  }
  return null;
}

/**
 * Records the delivery attempt (svix-id, svix-timestamp) once. Answers "replay" for the
 * very same signed request again, "duplicate" for a redelivery of an event already
 * applied, "new" otherwise.
 */
async function claim(env: Env, id: string, signedAt: string, type: string) {
  const inserted = await env.DB.prepare(
    "INSERT OR IGNORE INTO webhook_event (id, provider, type, signed_at, received_at) VALUES (?, 'resend', ?, ?, ?)",
  )
    .bind(id, type, signedAt, clock.now())
    .run();
  if (inserted.meta.changes > 0) return "new" as const;
  const seen = await env.DB.prepare("SELECT signed_at FROM webhook_event WHERE id = ?")
    .bind(id)
    .first<{ signed_at: string }>();
  return seen?.signed_at === signedAt ? ("replay" as const) : ("duplicate" as const);
}

const release = (env: Env, id: string) =>
  env.DB.prepare("DELETE FROM webhook_event WHERE id = ?").bind(id).run();

/**
 * POST /webhooks/resend: Resend's delivery events, signed by Svix. Nothing is read before
 * the signature holds (forged, older than 5 minutes, or the same signed request replayed →
 * 401, no change); each event is applied once (by svix-id) through the message's Campaign
 * DO, in any order, as the inbound classifier's mapping says; hard bounces and complaints
 * also suppress the address.
 */
export async function resendWebhook(request: Request, env: Env): Promise<Response> {
  const secret = config(env).RESEND_WEBHOOK_SECRET;
  if (!secret) {
    return unauthorized("Resend webhooks are not configured (no RESEND_WEBHOOK_SECRET).");
  }
  const svixId = request.headers.get("svix-id");
  const svixTimestamp = request.headers.get("svix-timestamp");
  const svixSignature = request.headers.get("svix-signature");
  if (!svixId || !svixTimestamp || !svixSignature) {
    return unauthorized("svix-id, svix-timestamp and svix-signature are required.");
  }
  const raw = await readBoundedBody(request, MAX_RESEND_EVENT_BYTES, "Resend's event");
  try {
    new Webhook(secret).verify(raw, {
      "svix-id": svixId,
      "svix-timestamp": svixTimestamp,
      "svix-signature": svixSignature,
    });
  } catch (error) {
    if (error instanceof WebhookVerificationError) {
      return unauthorized(`The signature does not hold: ${error.message}.`);
    }
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return errorResponse(400, "bad_request", "Resend's event is not JSON.");
  }
  const parsed = ResendEventSchema.safeParse(json);
  if (!parsed.success) return validationError(parsed.error, "Resend's event");
  const event = parsed.data;

  const claimed = await claim(env, svixId, svixTimestamp, event.type);
  if (claimed === "replay") return unauthorized("This signed request was already received.");
  if (claimed === "duplicate") return Response.json({ ok: true, outcome: "duplicate" });
  try {
    const outcome = await apply(env, event);
    return Response.json({ ok: true, outcome });
  } catch (error) {
    // Not applied: let Resend's retry (same svix-id) try again.
    await release(env, svixId);
    throw error;
  }
}

async function apply(env: Env, event: ResendEvent): Promise<string> {
  const effect = deliveryEffect(event);
  if (!effect) return `ignored (${event.type})`;
  const row = await findMessage(env, event);
  if (!row) return "unmatched";
  const stub = await campaignStub(env, row.campaign_id);
  const result = await stub.applyDelivery(
    {
      messageRowId: row.id,
      emailLog: effect.emailLog,
      prospect: effect.prospect,
      detail: effect.detail,
    },
    ACTOR,
  );
  if (effect.suppress) {
    const to = event.data.to;
    const addresses = (Array.isArray(to) ? to : to ? [to] : [row.to]).filter(
      (a): a is string => !!a,
    );
    await suppressAddresses(
      env,
      row.team_id,
      row.person_id,
      addresses,
      effect.prospect ?? event.type,
      clock.now(),
    );
  }
  return result.changed ? `${row.id}: ${result.status}` : `${row.id}: no change`;
}
