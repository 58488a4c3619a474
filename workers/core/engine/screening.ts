import { normalizeEmail } from "../people";
import { chooseAddress } from "./address";
import type { EmailStage } from "./schemas";
import type { Reason } from "./statuses";
import type { AddressValidator } from "./validate";

/** What the send path reads fresh from D1 for each batch, so that "fix, then Retry" works. */
export type PersonData = {
  id: string;
  firstName: string;
  lastName: string | null;
  timeZone: string | null;
  emails: { address: string; type: "personal" | "work"; normalized: string }[];
  phones: string[];
};

export type MailboxData = {
  id: string;
  address: string;
  name: string;
  canSend: boolean;
  dailyCap: number | null;
};

/** The team's suppressions that concern this batch: people and normalized addresses. */
export type Suppressed = { people: Set<string>; addresses: Set<string> };

/** Why a prospect cannot be sent this stage (a hold or failure of DESIGN.md §1), or go. */
export type Screened<T> =
  | ({ ok: true } & T)
  | { ok: false; reason: Reason; detail?: string; to?: string };

function isSuppressed(person: PersonData, suppressed: Suppressed): boolean {
  return (
    suppressed.people.has(person.id) ||
    person.emails.some((e) => suppressed.addresses.has(e.normalized))
  );
}

/**
 * An email stage's checks, in order: suppression, address by the stage's priority,
 * validation (unless bypassed), the stage's mailbox.
 */
export function screenEmail(input: {
  stage: EmailStage;
  person: PersonData;
  suppressed: Suppressed;
  mailboxes: Map<string, MailboxData>;
  bypassValidation: boolean;
  validate: AddressValidator;
}): Screened<{ address: string; mailbox: MailboxData }> {
  const { stage, person, suppressed } = input;
  if (isSuppressed(person, suppressed)) return { ok: false, reason: "unsubscribed" };
  const choice = chooseAddress(person.emails, stage.emailPriority);
  if (!choice.ok) return { ok: false, reason: "null_email" };
  if (suppressed.addresses.has(normalizeEmail(choice.address))) {
    return { ok: false, reason: "unsubscribed" };
  }
  if (!input.bypassValidation) {
    const v = input.validate(choice.address);
    if (!v.ok)
      return { ok: false, reason: "validation_failed", detail: v.detail, to: choice.address };
  }
  if (!stage.mailboxId) return { ok: false, reason: "no_account_selected" };
  const mailbox = input.mailboxes.get(stage.mailboxId);
  if (!mailbox?.canSend) {
    return {
      ok: false,
      reason: "email_not_synced",
      detail: mailbox ? `${mailbox.address} cannot send yet` : "The stage's mailbox was removed",
    };
  }
  return { ok: true, address: choice.address, mailbox };
}

/** An SMS stage's checks: suppression, then a phone number. */
export function screenSms(input: {
  person: PersonData;
  suppressed: Suppressed;
}): Screened<{ phone: string }> {
  if (isSuppressed(input.person, input.suppressed)) return { ok: false, reason: "unsubscribed" };
  const phone = input.person.phones[0];
  if (!phone) return { ok: false, reason: "no_phone" };
  return { ok: true, phone };
}
