import { describe, expect, it } from "vitest";
import type { EmailStage } from "./schemas";
import { type MailboxData, type PersonData, screenEmail, screenSms } from "./screening";
import { syntaxValidator } from "./validate";

const stage: EmailStage = {
  id: "s1",
  type: "email",
  delayMinutes: 0,
  mailboxId: "mb1",
  subject: "Hi",
  body: "Hello",
  emailPriority: "work_first",
  sameThread: false,
};
const mailbox: MailboxData = {
  id: "mb1",
  address: "rec@team.example",
  name: "Rec",
  canSend: true,
  dailyCap: null,
};
const person: PersonData = {
  id: "p1",
  firstName: "Ada",
  lastName: null,
  timeZone: null,
  emails: [
    { address: "ada@home.example", type: "personal", normalized: "ada@home.example" },
    { address: "Ada@Work.example", type: "work", normalized: "ada@work.example" },
  ],
  phones: ["+15550100"],
};
const none = { people: new Set<string>(), addresses: new Set<string>() };
const base = {
  stage,
  person,
  suppressed: none,
  mailboxes: new Map([["mb1", mailbox]]),
  bypassValidation: false,
  validate: syntaxValidator,
};

describe("screenEmail", () => {
  it("picks the address by the stage's priority and the stage's mailbox", () => {
    expect(screenEmail(base)).toEqual({ ok: true, address: "Ada@Work.example", mailbox });
  });

  it("refuses a suppressed person or any of their addresses as unsubscribed", () => {
    expect(
      screenEmail({ ...base, suppressed: { ...none, people: new Set(["p1"]) } }),
    ).toMatchObject({
      ok: false,
      reason: "unsubscribed",
    });
    expect(
      screenEmail({ ...base, suppressed: { ...none, addresses: new Set(["ada@home.example"]) } }),
    ).toMatchObject({ ok: false, reason: "unsubscribed" });
  });

  it("fails null_email when the profile has only the other type of address", () => {
    const workOnly = { ...stage, emailPriority: "work_only" as const };
    const homeOnly = { ...person, emails: [person.emails[0]] };
    expect(screenEmail({ ...base, stage: workOnly, person: homeOnly })).toMatchObject({
      ok: false,
      reason: "null_email",
    });
  });

  it("holds an address that fails validation, naming it, unless validation is bypassed", () => {
    const bad = {
      ...person,
      emails: [
        {
          address: "ada@nowhere.invalid",
          type: "work" as const,
          normalized: "ada@nowhere.invalid",
        },
      ],
    };
    expect(screenEmail({ ...base, person: bad })).toMatchObject({
      ok: false,
      reason: "validation_failed",
      to: "ada@nowhere.invalid",
    });
    expect(screenEmail({ ...base, person: bad, bypassValidation: true })).toMatchObject({
      ok: true,
    });
  });

  it("fails without a mailbox, and when the mailbox cannot send or was removed", () => {
    expect(screenEmail({ ...base, stage: { ...stage, mailboxId: undefined } })).toMatchObject({
      reason: "no_account_selected",
    });
    expect(
      screenEmail({ ...base, mailboxes: new Map([["mb1", { ...mailbox, canSend: false }]]) }),
    ).toMatchObject({ reason: "email_not_synced", detail: "rec@team.example cannot send yet" });
    expect(screenEmail({ ...base, mailboxes: new Map() })).toMatchObject({
      reason: "email_not_synced",
      detail: "The stage's mailbox was removed",
    });
  });
});

describe("screenSms", () => {
  it("takes the first phone; none is no_phone; a suppressed person is unsubscribed", () => {
    expect(screenSms({ person, suppressed: none })).toEqual({ ok: true, phone: "+15550100" });
    expect(screenSms({ person: { ...person, phones: [] }, suppressed: none })).toMatchObject({
      reason: "no_phone",
    });
    expect(screenSms({ person, suppressed: { ...none, people: new Set(["p1"]) } })).toMatchObject({
      reason: "unsubscribed",
    });
  });
});
