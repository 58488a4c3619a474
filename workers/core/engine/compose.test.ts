import { describe, expect, it } from "vitest";
import { composeEmail, composeSms, formatFrom } from "./compose";
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

describe("formatFrom", () => {
  it("leaves a name of plain words as it is", () => {
    expect(formatFrom("Jane Doe", "jane@acme.example")).toBe("Jane Doe <jane@acme.example>");
  });

  it("quotes a name with a comma, so `Doe, Jane` stays one mailbox", () => {
    expect(formatFrom("Doe, Jane", "jane@acme.example")).toBe('"Doe, Jane" <jane@acme.example>');
  });

  it("quotes every RFC 5322 special and escapes quotes and backslashes inside", () => {
    expect(formatFrom('Jane "JD" Doe', "j@a.example")).toBe('"Jane \\"JD\\" Doe" <j@a.example>');
    expect(formatFrom("C:\\Team", "j@a.example")).toBe('"C:\\\\Team" <j@a.example>');
    for (const name of ["J. Doe", "a;b", "a:b", "<a>", "a@b", "(a)", "[a]"]) {
      expect(formatFrom(name, "j@a.example")).toMatch(/^".*" <j@a\.example>$/);
    }
  });

  it("writes a non-ASCII name as an RFC 2047 encoded-word", () => {
    expect(formatFrom("Zoë", "z@a.example")).toBe("=?UTF-8?B?Wm/Dqw==?= <z@a.example>");
  });

  it("splits a long non-ASCII name into encoded-words of at most 75 characters, whole characters each", () => {
    const name = "é".repeat(30);
    const from = formatFrom(name, "z@a.example");
    const words = from.replace(/ <z@a\.example>$/, "").split(" ");
    expect(words.length).toBe(2);
    let decoded = "";
    for (const w of words) {
      expect(w.length).toBeLessThanOrEqual(75);
      const b64 = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(w)?.[1] ?? "";
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      decoded += new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    }
    expect(decoded).toBe(name);
  });

  it("never puts a CR or LF into From", () => {
    const from = formatFrom("Jane\r\nBcc: victim@x.example", "j@a.example");
    expect(from).toBe('"Jane Bcc: victim@x.example" <j@a.example>');
  });

  it("is the bare address when the name is empty", () => {
    expect(formatFrom("  ", "j@a.example")).toBe("j@a.example");
  });
});

describe("composeEmail headers", () => {
  it("quotes the mailbox's name in From", () => {
    const r = composeEmail({ ...input, mailbox: { ...mailbox, name: "Doe, Jane" } });
    if (!r.ok) throw new Error(r.missing);
    expect(r.value.from).toBe('"Doe, Jane" <rec@team.example>');
  });

  it("turns a line break in a merged value into a space in the Subject, and keeps it in the body", () => {
    const r = composeEmail({
      ...input,
      person: { ...person, firstName: "Ada\r\nBcc: victim@x.example" },
    });
    if (!r.ok) throw new Error(r.missing);
    expect(r.value.subject).toBe("A role for Ada Bcc: victim@x.example");
    expect(r.value.text.startsWith("Hi Ada\r\nBcc: victim@x.example,")).toBe(true);
  });

  it("makes a stored subject with a line break one line", () => {
    const r = composeEmail({
      ...input,
      stage: { ...stage, sameThread: false, subject: "Hello\n\nX-Evil: 1" },
    });
    if (!r.ok) throw new Error(r.missing);
    expect(r.value.subject).toBe("Hello X-Evil: 1");
  });

  it("makes a previous subject with a line break one line in a same-thread reply", () => {
    const r = composeEmail({ ...input, parent: { subject: "Hi\rthere", messageId: "<p@x>" } });
    if (!r.ok) throw new Error(r.missing);
    expect(r.value.subject).toBe("Re: Hi there");
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

describe("composeEmail tracking", () => {
  const tracking = {
    pixel: "https://beacon.example/t/o/px.gif",
    click: (url: string, i: number) => `https://beacon.example/t/c/${i}-${encodeURIComponent(url)}`,
    honeypot: "https://beacon.example/t/h/hp",
    download: (id: string) => `https://beacon.example/t/d/${id}`,
  };
  const linked: EmailStage = {
    ...stage,
    body: "Hi {{firstName}}, see https://jobs.example/a?x=1&y=2 and https://jobs.example/b.",
    attachments: [{ id: "f1", name: "Role.pdf", size: 2048 }],
  };

  it("rewrites the body's links, adds the honeypot, the pixel and the attachments' download links", () => {
    const r = composeEmail({ ...input, stage: linked, tracking });
    if (!r.ok) throw new Error(r.missing);
    const a = tracking.click("https://jobs.example/a?x=1&y=2", 0);
    const b = tracking.click("https://jobs.example/b", 1);
    expect(r.value.text).toContain(`see ${a} and ${b}.`);
    expect(r.value.text).toContain("Role.pdf (2 KB): https://beacon.example/t/d/f1");
    expect(r.value.text).not.toContain("https://jobs.example");
    // The unsubscribe link is never a tracked one.
    expect(r.value.text).toContain("Unsubscribe: https://beacon.example/u/tok");
    expect(r.value.html).toContain(`href="${a.replace(/&/g, "&amp;")}"`);
    expect(r.value.html).toContain('href="https://beacon.example/t/h/hp"');
    expect(r.value.html).toMatch(/<img src="https:\/\/beacon\.example\/t\/o\/px\.gif" width="1"/);
    expect(r.value.html).toContain('<a href="https://beacon.example/t/d/f1">Role.pdf</a>');
  });

  it("with tracking off: links as written, no pixel, no honeypot; attachments still linked", () => {
    const r = composeEmail({
      ...input,
      stage: linked,
      tracking: { ...tracking, pixel: null, click: null, honeypot: null },
    });
    if (!r.ok) throw new Error(r.missing);
    expect(r.value.text).toContain(
      "see https://jobs.example/a?x=1&y=2 and https://jobs.example/b.",
    );
    expect(r.value.html).not.toContain("/t/o/");
    expect(r.value.html).not.toContain("/t/h/");
    expect(r.value.html).toContain("https://beacon.example/t/d/f1");
  });
});
