import { resendWebhook } from "./resend";
import { WebhookRouter } from "./router";
import { twilioInboundSms } from "./twilio";

/**
 * Provider webhooks under /webhooks/* (DESIGN.md §2). One line per provider route; each
 * handler verifies its provider's signature before reading anything else.
 */
export const webhooks = new WebhookRouter()
  .on("POST", "/webhooks/twilio", twilioInboundSms)
  .on("POST", "/webhooks/resend", resendWebhook);
