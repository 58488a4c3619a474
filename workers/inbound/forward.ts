import { formatFrom } from "../core/engine/compose";
import { config } from "../env";
import { engineHooks } from "../testing/hooks";
import { resendClient } from "../transport/resend-client";

/** The readable part of why a forward or relay did not go. */
const why = (error: unknown) => (error instanceof Error ? error.message : String(error));

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * A human reply reaches the recruiter's real inbox: Email Routing's forward() to the
 * mailbox's address (production refuses it unless that address is a verified destination);
 * failing that, relayed through the provider from the mailbox itself with the original
 * attached. Answers how it went, in words, for the log.
 */
export async function forwardToOwner(
  env: Env,
  message: ForwardableEmailMessage,
  mailbox: { address: string; name: string },
  raw: Uint8Array,
  subject: string,
): Promise<{ ok: boolean; how: string }> {
  try {
    await message.forward(mailbox.address);
    return { ok: true, how: `forwarded to ${mailbox.address}` };
  } catch (error) {
    const cfg = config(env);
    const key = engineHooks.resend?.apiKey ?? cfg.RESEND_API_KEY;
    const baseUrl = engineHooks.resend?.baseUrl ?? cfg.RESEND_BASE_URL;
    if (!key) {
      return {
        ok: false,
        how: `not forwarded to ${mailbox.address} (${why(error)}); verify it as an Email Routing destination`,
      };
    }
    const sent = await resendClient({ apiKey: key, baseUrl }).emails.send({
      from: formatFrom(`Beacon for ${mailbox.name}`, mailbox.address),
      to: [mailbox.address],
      subject: `Fwd: ${subject}`,
      text: "A reply to your outreach; the original message is attached.",
      attachments: [{ filename: "reply.eml", content: base64(raw), contentType: "message/rfc822" }],
    });
    return sent.error
      ? { ok: false, how: `not forwarded (${why(error)}) nor relayed (${sent.error.message})` }
      : { ok: true, how: `relayed to ${mailbox.address} through the provider (${why(error)})` };
  }
}
