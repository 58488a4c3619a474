import { z } from "zod";
import { clock } from "../clock";
import { config } from "../env";
import { errorResponse, validationError } from "../http/errors";
import { engineHooks } from "../testing/hooks";
import { readBoundedBody } from "./body";
import { receiveInboundSms } from "./inbound-sms";
import { signedUrls, verifyTwilioSignature } from "./twilio-signature";

/** Twilio's form posts are a few kilobytes; anything near this is not Twilio's. */
export const MAX_TWILIO_FORM_BYTES = 64 * 1024;

/** The fields of Twilio's inbound message webhook Beacon reads; it sends many more. */
export const TwilioInboundSmsSchema = z.object({
  MessageSid: z.string().min(1).max(64),
  From: z.string().min(1).max(64),
  Body: z.string().default(""),
});

/** An empty TwiML answer: Twilio sends no auto-reply of ours. */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * The auth token requests are verified with: the test hook's (the fake Twilio account a
 * test sends through, as the SMS transport uses it), else the configured one.
 */
function twilioAuthToken(env: Env): string | undefined {
  return engineHooks.twilio?.authToken ?? config(env).TWILIO_AUTH_TOKEN;
}

const forbidden = (message: string) => errorResponse(403, "forbidden", message);

/**
 * POST /webhooks/twilio: an SMS to our number (Twilio's inbound message webhook). Nothing
 * is read before the signature holds; a STOP keyword unsubscribes, any other text is a
 * reply. Twilio gets an empty TwiML answer, also for a number that matches no one.
 */
export async function twilioInboundSms(request: Request, env: Env): Promise<Response> {
  const token = twilioAuthToken(env);
  if (!token) {
    return forbidden("Twilio is not configured (no TWILIO_AUTH_TOKEN): nothing can be verified.");
  }
  const signature = request.headers.get("X-Twilio-Signature");
  if (!signature) return forbidden("X-Twilio-Signature is missing.");
  const raw = await readBoundedBody(request, MAX_TWILIO_FORM_BYTES, "Twilio's request");
  const params = [...new URLSearchParams(raw)];
  const urls = signedUrls(config(env).PUBLIC_URL, new URL(request.url));
  if (!(await verifyTwilioSignature(token, signature, urls, params))) {
    return forbidden("X-Twilio-Signature does not match this request.");
  }
  const parsed = TwilioInboundSmsSchema.safeParse(Object.fromEntries(params));
  if (!parsed.success) return validationError(parsed.error, "Twilio's request");
  const { MessageSid, From, Body } = parsed.data;
  const result = await receiveInboundSms(
    env,
    { messageSid: MessageSid, from: From, body: Body },
    clock.now(),
  );
  if (result.kind === "unmatched") {
    console.log(`twilio: SMS ${MessageSid} changed nothing: ${result.outcome}`);
  }
  return new Response(EMPTY_TWIML, { headers: { "Content-Type": "text/xml; charset=utf-8" } });
}
