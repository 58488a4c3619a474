import { getServerByName } from "partyserver";
import { clock, realTimeFor } from "../clock";
import { config } from "../env";
import { type Pacer, pacerName } from "../pacer";
import { engineHooks } from "../testing/hooks";
import { MAX_PACING_WAIT_MS, resendTransport } from "../transport/resend";
import { sinkTransport } from "../transport/sink";
import { type SmsTransport, sinkSmsTransport } from "../transport/sms";
import { twilioTransport } from "../transport/twilio";

/** How a caller reaches a provider key's Pacer by name (a Campaign DO keeps its stubs). */
type PacerByName = (name: string) => Promise<DurableObjectStub<Pacer>>;

/** Resend when a key is configured (paced per key across every campaign), else the local sink. */
export async function emailTransport(
  env: Env,
  pacerByName: PacerByName = (name) => getServerByName(env.Pacer, name),
) {
  const cfg = config(env);
  const resend =
    engineHooks.resend ??
    (cfg.RESEND_API_KEY
      ? {
          apiKey: cfg.RESEND_API_KEY,
          baseUrl: cfg.RESEND_BASE_URL,
          ratePerSecond: cfg.RESEND_RATE_PER_SECOND,
        }
      : null);
  if (!resend) return sinkTransport(env.DB, () => clock.now());
  const pacer = await pacerByName(await pacerName(resend.apiKey));
  const ratePerSecond = resend.ratePerSecond ?? 5;
  return resendTransport({
    apiKey: resend.apiKey,
    baseUrl: resend.baseUrl,
    now: () => clock.now(),
    pacing: {
      acquire: (holder, now) =>
        pacer.acquire({ holder, ratePerSecond, now, maxWaitMs: MAX_PACING_WAIT_MS }),
      handBack: (holder, now) => pacer.handBack({ holder, now }),
      hold: async (holder, now) =>
        (await pacer.acquire({ holder, ratePerSecond, now, maxWaitMs: -1 })).slot,
    },
    timeoutMs: engineHooks.providerTimeoutMs,
  });
}

/** Twilio when its account, token and sender are configured, else the local sink. */
export function smsTransport(env: Env): SmsTransport {
  const cfg = config(env);
  const twilio =
    engineHooks.twilio ??
    (cfg.TWILIO_ACCOUNT_SID && cfg.TWILIO_AUTH_TOKEN && cfg.TWILIO_FROM
      ? {
          accountSid: cfg.TWILIO_ACCOUNT_SID,
          authToken: cfg.TWILIO_AUTH_TOKEN,
          from: cfg.TWILIO_FROM,
          baseUrl: cfg.TWILIO_BASE_URL,
          timeoutMs: undefined,
        }
      : null);
  if (!twilio) {
    return sinkSmsTransport(
      env.DB,
      sinkTransport(env.DB, () => clock.now()),
    );
  }
  return twilioTransport({ ...twilio, providerTime: realTimeFor });
}
