import { describe, expect, it } from "vitest";
import { classifyMail } from "./classify";
import { subjectKey } from "./mta-vendors";

const mail = (headers: string[], body: string[]) => `${headers.join("\n")}\n\n${body.join("\n")}\n`;

describe("MTA readers", () => {
  it("reads qmail's report (the recipient's block, the remote host's words)", async () => {
    const v = await classifyMail(
      mail(
        ["From: MAILER-DAEMON@mx.example.jp", "To: me@beacon.example", "Subject: failure notice"],
        [
          "Hi. This is the qmail-send program at mx.example.jp.",
          "I'm afraid I wasn't able to deliver your message to the following addresses.",
          "This is a permanent error; I've given up. Sorry it didn't work out.",
          "",
          "<nobody@example.net>:",
          "192.0.2.25 does not like recipient.",
          "Remote host said: 550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown",
          "Giving up on 192.0.2.25.",
          "",
          "--- Below this line is a copy of the message.",
          "",
          "Message-ID: <out-3@beacon.example>",
        ],
      ),
    );
    expect(v.bounce).toMatchObject({
      class: "hard",
      reason: "userunknown",
      recipient: "nobody@example.net",
    });
    expect(v.original?.messageId).toBe("out-3@beacon.example");
  });

  it("reads Exim's report and the SMTP command it names", async () => {
    const v = await classifyMail(
      mail(
        [
          "From: Mail Delivery System <Mailer-Daemon@mail.example.org>",
          "To: me@beacon.example",
          "Subject: Mail delivery failed: returning message to sender",
          "Message-Id: <E1aBcDe-000AbC-Xy@mail.example.org>",
        ],
        [
          "This message was created automatically by mail delivery software.",
          "",
          "A message that you sent could not be delivered to one or more of its",
          "recipients. This is a permanent error. The following address(es) failed:",
          "",
          "  full@example.net",
          "    host mx.example.net [192.0.2.9]",
          "    SMTP error from remote mail server after RCPT TO:<full@example.net>:",
          "    452 4.2.2 The email account that you tried to reach is over quota",
          "",
          "------ This is a copy of the message, including all the headers. ------",
        ],
      ),
    );
    expect(v.bounce).toMatchObject({
      class: "soft",
      reason: "mailboxfull",
      recipient: "full@example.net",
    });
  });

  it("reads Exchange 2003's MSEXCH code", async () => {
    const v = await classifyMail(
      mail(
        [
          "From: System Administrator <postmaster@example.jp>",
          "To: me@beacon.example",
          "Subject: Undeliverable: Hello",
          "X-MS-Embedded-Report: ",
          "X-Mailer: Internet Mail Service (5.5.2653.19)",
        ],
        [
          "Your message",
          "",
          "  To:      someone@example.jp",
          "  Subject: Hello",
          "  Sent:    Thu, 29 Apr 2010 00:00:00 -0000",
          "",
          "did not reach the following recipient(s):",
          "",
          "someone@example.jp on Thu, 29 Apr 2010 00:00:00 -0000",
          "    The recipient name is not recognized",
          "    MSEXCH:IMS:NNN:SITE:SERVER 0 (000C05A6)",
          "Unknown Recipient",
        ],
      ),
    );
    expect(v.bounce).toMatchObject({
      class: "hard",
      reason: "userunknown",
      recipient: "someone@example.jp",
    });
  });

  it("reads a forwarded bounce as the bounce it quotes", async () => {
    const v = await classifyMail(
      mail(
        [
          "From: Colleague <colleague@example.org>",
          "To: me@beacon.example",
          "Subject: Fwd: failure notice",
        ],
        [
          "> Hi. This is the qmail-send program at mx.example.jp.",
          ">",
          "> <nobody@example.net>:",
          "> Sorry, no mailbox here by that name. (#5.1.1)",
        ],
      ),
    );
    expect(v.bounce).toMatchObject({ class: "hard", reason: "userunknown" });
  });
});

describe("subjectKey", () => {
  it("keys a subject by its first words, as sisimai orders its readers", () => {
    expect(subjectKey("Undeliverable: Hello")).toBe("undeliverable");
    expect(subjectKey("Delivery Status Notification (Failure)")).toBe("delivery-status");
    expect(subjectKey("[BOUNCE] x")).toBe("bounce-x");
    expect(subjectKey("Returned mail: see transcript for details")).toBe("returned-mail");
  });
});
