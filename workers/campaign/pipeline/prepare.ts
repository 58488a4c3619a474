import { composeEmail, composeSms } from "../../core/engine/compose";
import type { EmailStage, SmsStage } from "../../core/engine/schemas";
import {
  type MailboxData,
  type PersonData,
  type Suppressed,
  screenEmail,
  screenSms,
} from "../../core/engine/screening";
import { newOrderedId } from "../../core/ids";
import { replyToken, unsubscribeToken } from "../../core/tokens";
import { trackingUrls } from "../../tracking/urls";
import type { OutgoingEmail, OutgoingSms } from "../../transport/types";
import type { Prospect } from "../store";
import { holdOrFail, type PipelineContext } from "./context";

export type EmailCandidate = {
  p: Prospect;
  stage: EmailStage;
  email: OutgoingEmail;
  mailbox: MailboxData;
};
export type SmsCandidate = { p: Prospect; stage: SmsStage; sms: OutgoingSms };

/** What the batch read from D1, fresh. */
export type BatchData = {
  people: Map<string, PersonData>;
  suppressed: Suppressed;
  mailboxes: Map<string, MailboxData>;
  jobTitle: string | null;
};

/** Links and tokens of one email: the only parts of composition that need the secret. */
async function emailLinks(
  c: PipelineContext,
  rowId: string,
  personId: string,
  to: string,
  mailbox: MailboxData,
) {
  const base = new URL(c.publicUrl);
  const token = await unsubscribeToken(c.secret, {
    t: c.def.teamId,
    p: personId,
    c: c.def.id,
    e: to,
  });
  return {
    host: base.hostname,
    unsubscribeUrl: new URL(`/u/${token}`, base).toString(),
    replyTo: c.inboundDomain
      ? `reply+${await replyToken(c.secret, rowId)}@${c.inboundDomain}`
      : mailbox.address,
  };
}

/**
 * Screens and renders one due prospect at its email or SMS stage (DESIGN.md §2: suppression
 * → address → validation → mailbox → merge). A prospect that cannot go is held or failed
 * here; one that can becomes a candidate for the batch.
 */
function refuse(...args: Parameters<typeof holdOrFail>): null {
  holdOrFail(...args);
  return null;
}

export async function prepare(
  c: PipelineContext,
  p: Prospect,
  stage: EmailStage | SmsStage,
  person: PersonData,
  data: BatchData,
  /** The id of the stage's open (Waiting or Held) message, read for the batch at once. */
  openRowId: string | undefined,
): Promise<EmailCandidate | SmsCandidate | null> {
  const rowId = openRowId ?? newOrderedId();
  const common = {
    rowId,
    attempt: p.attempt,
    campaignId: c.def.id,
    teamId: c.def.teamId,
    person,
    jobTitle: data.jobTitle,
  };
  if (stage.type === "sms") {
    const screened = screenSms({ person, suppressed: data.suppressed });
    if (!screened.ok) return refuse(c, p, screened.reason, screened.detail);
    const sms = composeSms({ ...common, stage, phone: screened.phone });
    if (!sms.ok) return refuse(c, p, "missing_merge_field", sms.missing);
    return { p, stage, sms: sms.value };
  }
  const screened = screenEmail({
    stage,
    person,
    suppressed: data.suppressed,
    mailboxes: data.mailboxes,
    bypassValidation: p.bypassValidation,
    validate: c.validate,
  });
  if (!screened.ok) return refuse(c, p, screened.reason, screened.detail, screened.to);
  const parent = stage.sameThread ? c.store.messages.lastSentEmail(p.personId) : null;
  const email = composeEmail({
    ...common,
    stage,
    to: screened.address,
    mailbox: screened.mailbox,
    parent,
    showUnsubscribeLink: c.def.unsubscribeLink,
    tracking: trackingUrls({ ...c.def, secret: c.secret, publicUrl: c.publicUrl, rowId }),
    ...(await emailLinks(c, rowId, p.personId, screened.address, screened.mailbox)),
  });
  if (!email.ok) return refuse(c, p, "missing_merge_field", email.missing);
  return { p, stage, email: email.value, mailbox: screened.mailbox };
}
