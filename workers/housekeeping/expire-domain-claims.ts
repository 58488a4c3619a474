import { resendAccount } from "../data/resend-account";
import { expiredClaims, releaseClaim } from "../data/sending-domains";

/** At most this many claims per run: each may cost a Resend call and a few queries. */
const BATCH = 25;

/**
 * Releases unverified sending-domain claims older than 72 hours (ADR 0022), so a name
 * nobody proved is free again; a verified claim never expires. Logs one line per run.
 */
export async function expireDomainClaims(env: Env, now: number): Promise<void> {
  const account = resendAccount(env);
  const due = await expiredClaims(env, now, BATCH);
  const released: string[] = [];
  const kept: string[] = [];
  for (const claim of due) {
    if (await releaseClaim(env, account, claim)) released.push(claim.id);
    else kept.push(claim.id);
  }
  console.log(
    `housekeeping expire-domain-claims: released ${released.length} [${released.join(",")}] provider refused ${kept.length} [${kept.join(",")}]`,
  );
}
