import { describe, expect, it } from "vitest";
import { composeEmail, composeSms } from "./compose";
import type { EmailStage, SmsStage } from "./schemas";
import type { MailboxData, PersonData } from "./screening";

const stage: EmailStage = {
  id: "s2",
  type: "email",
  delayMinutes: 0,
  mailboxId: "mb1",
  subject: "A role for {{firstName}}",
  body: "Hi {{firstName}},\nfrom {{senderName}}",
  emailPriority: "personal_first",
  sameThread: true,
};
const mailbox: MailboxData = {
  id: "mb1",
  address: "rec@team.example",
  name: "Rec Ruiter",
  canSend: true,
  dailyCap: null,
};
const person: PersonData = {
  id: "p1",
  firstName: "Ada",
  lastName: null,
  timeZone: null,
  emails: [],
  phones: [],
};
const input = {
  rowId: "row1",
  attempt: 1,
  campaignId: "c1",
  teamId: "t1",
  stage,
  person,
  jobTitle: null,
  to: "ada@home.example",
  mailbox,
  parent: null,
  host: "beacon.example",
  unsubscribeUrl: "https://beacon.example/u/tok",
  showUnsubscribeLink: true,
  replyTo: "reply+abc@in.example",
};

describe("composeEmail", () => {
  it("renders merge fields and carries our Message-ID, References, List-Unsubscribe and Reply-To", () => {
    const r = composeEmail(input);
    if (!r.ok) throw new Error(r.missing);
    expect(r.value.subject).toBe("A role for Ada");
    expect(r.value.from).toBe("Rec Ruiter <rec@team.example>");
    expect(r.value.text).toBe(
      "Hi Ada,\nfrom Rec Ruiter\n\n--\nUnsubscribe: https://beacon.example/u/tok",
    );
    expect(r.value.headers).toEqual({
      "Message-ID": "<row1@beacon.example>",
      References: "<row1@beacon.example>",
      "List-Unsubscribe": "<https://beacon.example/u/tok>",
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    });
    expect(r.value.replyTo).toBe("reply+abc@in.example");
    expect(r.value.idempotencyKey).toBe("c1:row1:1");
  });

  it("threads a same-thread stage under the previous email: Re: subject, In-Reply-To, References", () => {
    const r = composeEmail({
      ...input,
      parent: { subject: "Re: Re: Hello", messageId: "<prev@x>" },
    });
    if (!r.ok) throw new Error(r.missing);
    expect(r.value.subject).toBe("Re: Hello");
    expect(r.value.headers["In-Reply-To"]).toBe("<prev@x>");
    expect(r.value.headers.References).toBe("<prev@x> <row1@beacon.example>");
  });

  it("starts a new thread when the stage is not same-thread", () => {
    const r = composeEmail({
      ...input,
      stage: { ...stage, sameThread: false },
      parent: { subject: "Old", messageId: "<prev@x>" },
    });
    if (!r.ok) throw new Error(r.missing);
    expect(r.value.subject).toBe("A role for Ada");
    expect(r.value.headers["In-Reply-To"]).toBeUndefined();
  });

  it("leaves the visible link out when the campaign turns it off", () => {
    const r = composeEmail({ ...input, showUnsubscribeLink: false });
    if (!r.ok) throw new Error(r.missing);
    expect(r.value.text).toBe("Hi Ada,\nfrom Rec Ruiter");
    expect(r.value.headers["List-Unsubscribe"]).toBe("<https://beacon.example/u/tok>");
  });

  it("names a missing merge field instead of sending 'Hi ,'", () => {
    const r = composeEmail({ ...input, stage: { ...stage, body: "About {{jobTitle}}" } });
    expect(r).toEqual({ ok: false, missing: "no jobTitle on the profile" });
  });
});

describe("composeSms", () => {
  it("renders the body to the phone under its key", () => {
    const sms: SmsStage = { id: "s3", type: "sms", delayMinutes: 0, body: "Hi {{firstName}}" };
    const r = composeSms({
      rowId: "row2",
      attempt: 2,
      campaignId: "c1",
      teamId: "t1",
      stage: sms,
      person,
      jobTitle: null,
      phone: "+1555",
    });
    expect(r).toEqual({
      ok: true,
      value: { id: "row2", idempotencyKey: "c1:row2:2", teamId: "t1", to: "+1555", text: "Hi Ada" },
    });
  });
});
