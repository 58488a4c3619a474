import { describe, expect, it } from "vitest";
import { classifyMail } from "./classify";

/** A raw message from header lines and a body, CRLF line endings as on the wire. */
function mail(headers: string[], body: string): string {
  return `${headers.join("\r\n")}\r\n\r\n${body.replace(/\r?\n/g, "\r\n")}`;
}

function dsn(status: string, diagnostic: string, extra: string[] = []): string {
  return mail(
    [
      "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>",
      "To: bounces@beacon.example",
      "Subject: Delivery Status Notification (Failure)",
      "Auto-Submitted: auto-replied",
      "MIME-Version: 1.0",
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      ...extra,
    ],
    [
      "--b1",
      "Content-Type: text/plain",
      "",
      "Delivery to the following recipient failed permanently:",
      "",
      "     gone@example.org",
      "",
      "--b1",
      "Content-Type: message/delivery-status",
      "",
      "Reporting-MTA: dns; mx.example.org",
      "",
      "Final-Recipient: rfc822; gone@example.org",
      "Action: failed",
      `Status: ${status}`,
      "Remote-MTA: dns; mx.remote.example",
      `Diagnostic-Code: smtp; ${diagnostic}`,
      "",
      "--b1",
      "Content-Type: text/rfc822-headers",
      "",
      "From: Recruiter <me@beacon.example>",
      "To: gone@example.org",
      "Subject: A role for you",
      "Message-ID: <out-1@beacon.example>",
      "References: <first@beacon.example>",
      "",
      "--b1--",
      "",
    ].join("\n"),
  );
}

describe("classifyMail: reports", () => {
  it("never reads mail from a no-reply system address as a person's reply (a forwarding confirmation)", async () => {
    const v = await classifyMail(
      mail(
        [
          "From: Gmail Team <forwarding-noreply@google.com>",
          "To: sync+abc@inbound.example",
          "Subject: (#493027118) Gmail Forwarding Confirmation - Receive Mail from rita@acme.example",
          "Message-ID: <c1@google.com>",
        ],
        "rita@acme.example has requested to automatically forward mail to your email address.\nConfirmation code: 493027118",
      ),
    );
    expect(v.kind).toBe("other");
  });

  it("reads an RFC 3464 report of an unknown user as a hard bounce", async () => {
    const v = await classifyMail(dsn("5.1.1", "550 5.1.1 <gone@example.org>: User unknown"));
    expect(v.kind).toBe("bounce");
    expect(v.bounce).toMatchObject({
      class: "hard",
      reason: "userunknown",
      recipient: "gone@example.org",
      status: "5.1.1",
      delayed: false,
    });
    expect(v.original).toEqual({
      messageId: "out-1@beacon.example",
      references: ["first@beacon.example"],
      to: "gone@example.org",
    });
  });

  it("reads a full mailbox as a soft bounce", async () => {
    const v = await classifyMail(dsn("5.2.2", "552 5.2.2 Mailbox full"));
    expect(v.bounce).toMatchObject({ class: "soft", reason: "mailboxfull" });
  });

  it("reads a refusal as spam as a bounce whose reason is spamdetected", async () => {
    const v = await classifyMail(
      dsn("5.7.1", "554 5.7.1 Message rejected as spam by Content Filtering"),
    );
    expect(v.bounce).toMatchObject({ class: "soft", reason: "spamdetected" });
  });

  it("never reads a report as an auto-reply, whatever its Auto-Submitted says", async () => {
    const v = await classifyMail(dsn("5.1.1", "550 5.1.1 User unknown", ["Precedence: bulk"]));
    expect(v.kind).toBe("bounce");
  });

  it("marks a delay warning as delayed", async () => {
    const raw = dsn("4.4.7", "421 4.4.7 Delivery time expired").replace(
      "Action: failed",
      "Action: delayed",
    );
    const v = await classifyMail(raw);
    expect(v.kind).toBe("bounce");
    expect(v.bounce?.delayed).toBe(true);
  });

  it("calls a report of successful delivery other", async () => {
    const raw = dsn("2.0.0", "250 2.0.0 OK").replace("Action: failed", "Action: delivered");
    expect((await classifyMail(raw)).kind).toBe("other");
  });

  it("reads an ARF feedback report as a complaint", async () => {
    const raw = mail(
      [
        "From: feedback@fbl.example.net",
        "To: fbl@beacon.example",
        "Subject: Abuse report",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=feedback-report; boundary="f"',
      ],
      [
        "--f",
        "Content-Type: text/plain",
        "",
        "This is an email abuse report.",
        "--f",
        "Content-Type: message/feedback-report",
        "",
        "Feedback-Type: abuse",
        "User-Agent: ExampleFBL/1.0",
        "Version: 1",
        "Original-Rcpt-To: <someone@example.net>",
        "--f",
        "Content-Type: message/rfc822",
        "",
        "From: me@beacon.example",
        "To: someone@example.net",
        "Message-ID: <out-9@beacon.example>",
        "Subject: hello",
        "",
        "hi",
        "--f--",
      ].join("\n"),
    );
    const v = await classifyMail(raw);
    expect(v.kind).toBe("complaint");
    expect(v.original?.messageId).toBe("out-9@beacon.example");
  });

  it("reads a Postfix bounce without a report from its words", async () => {
    const raw = mail(
      [
        "From: MAILER-DAEMON@mail.example.jp (Mail Delivery System)",
        "To: me@beacon.example",
        "Subject: Undelivered Mail Returned to Sender",
        "Content-Type: text/plain",
      ],
      [
        "This is the mail system at host mail.example.jp.",
        "",
        "<nobody@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1",
        "    <nobody@example.net>: Recipient address rejected: User unknown (in reply to",
        "    RCPT TO command)",
        "",
      ].join("\n"),
    );
    const v = await classifyMail(raw);
    expect(v.bounce).toMatchObject({
      class: "hard",
      reason: "userunknown",
      recipient: "nobody@example.net",
    });
  });
});

describe("classifyMail: input forms", () => {
  it("gives the same verdict for CRLF, LF and bare-CR line endings and for bytes or text", async () => {
    const crlf = dsn("5.1.1", "550 5.1.1 User unknown");
    const forms = [crlf, crlf.replace(/\r\n/g, "\n"), crlf.replace(/\r\n/g, "\r")];
    const verdicts = await Promise.all(forms.map((f) => classifyMail(f)));
    const bytes = await classifyMail(new TextEncoder().encode(forms[2]));
    for (const v of [...verdicts, bytes]) {
      expect(v).toMatchObject({ kind: "bounce", bounce: { class: "hard", reason: "userunknown" } });
    }
  });

  it("answers other with the problem, never throws, for input that is not mail", async () => {
    for (const raw of ["", "garbage\u0000\u0001", new Uint8Array([0xff, 0xfe, 0x00])]) {
      const v = await classifyMail(raw);
      expect(v).toMatchObject({ kind: "other", problem: "unparsable: no RFC 822 header" });
    }
  });
});
