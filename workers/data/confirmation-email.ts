import { and, eq, isNull, sql } from "drizzle-orm";
import { base32 } from "../core/mailboxes";
import { confirmationEmail } from "../core/sending-domains";
import { db, schema } from "../db/client";
import { config } from "../env";
import { callOptions, providerFailure, resendClient } from "./resend-account";

type MailboxRow = typeof schema.mailbox.$inferSelect;

export async function hashConfirmToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A new link token: 256 random bits, base32 like sync tokens (survives case changes). */
export function newConfirmToken(): string {
  return base32(crypto.getRandomValues(new Uint8Array(32)));
}

export type ConfirmationSent = { sentAt: number } | { error: string } | { raced: true };

/**
 * Emails a fresh confirmation link for `mailbox` from noreply@<its verified domain>.
 * The token's hash is stored first, compare-and-set on the previous send time, so two
 * checks racing send one email and the emailed link always matches the stored hash.
 */
export async function emailConfirmationLink(
  env: Env,
  account: { apiKey: string; baseUrl?: string },
  mailbox: MailboxRow,
  domain: string,
  now: number,
): Promise<ConfirmationSent> {
  const d = db(env);
  const token = newConfirmToken();
  const hash = await hashConfirmToken(token);
  const previous = mailbox.confirmSentAt ? mailbox.confirmSentAt.getTime() : null;
  const claimed = await d
    .update(schema.mailbox)
    .set({ confirmTokenHash: hash, confirmSentAt: new Date(now) })
    .where(
      and(
        eq(schema.mailbox.id, mailbox.id),
        eq(schema.mailbox.teamId, mailbox.teamId),
        isNull(schema.mailbox.confirmedAt),
        sql`${schema.mailbox.confirmSentAt} IS ${previous}`,
      ),
    )
    .returning({ id: schema.mailbox.id });
  if (claimed.length === 0) return { raced: true };

  const [team, adder] = await Promise.all([
    d.query.organization.findFirst({
      where: eq(schema.organization.id, mailbox.teamId),
      columns: { name: true },
    }),
    d.query.user.findFirst({ where: eq(schema.user.id, mailbox.userId), columns: { name: true } }),
  ]);
  const link = new URL(`/mailboxes/confirm/${token}`, config(env).PUBLIC_URL).toString();
  const email = confirmationEmail({
    address: mailbox.address,
    senderName: mailbox.name,
    domain,
    teamName: team?.name ?? "your team",
    addedBy: adder?.name ?? "A member of your team",
    link,
  });
  const { error } = await resendClient(account).emails.send(
    {
      from: email.from,
      to: [email.to],
      subject: email.subject,
      text: email.text,
      html: email.html,
    },
    // One key per link: a retry of this very request cannot email the link twice.
    { idempotencyKey: `beacon-confirm-${mailbox.id}-${hash.slice(0, 16)}`, ...callOptions() },
  );
  if (!error) return { sentAt: now };
  // Not sent (as far as we know): forget the send time so the next check tries again.
  await d
    .update(schema.mailbox)
    .set({ confirmSentAt: null })
    .where(and(eq(schema.mailbox.id, mailbox.id), eq(schema.mailbox.confirmTokenHash, hash)));
  return { error: providerFailure(error).message };
}
