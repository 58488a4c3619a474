import { describe, expect, it } from "vitest";
import { classifyMail } from "./classify";

/** A raw message from header lines and a body, CRLF line endings as on the wire. */
function mail(headers: string[], body: string): string {
  return `${headers.join("\r\n")}\r\n\r\n${body.replace(/\r?\n/g, "\r\n")}`;
}

const person = [
  "From: Ada Lovelace <ada@example.com>",
  "To: reply+abc123@inbound.example.net",
  "Date: Tue, 02 Jun 2026 09:30:00 +0200",
  "Message-ID: <r1@mail.example.com>",
  "In-Reply-To: <out-1@beacon.example>",
  "References: <first@beacon.example> <out-1@beacon.example>",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=utf-8",
];

describe("classifyMail: replies and auto-replies", () => {
  it("reads a person's answer as a reply, with its headers", async () => {
    const v = await classifyMail(
      mail([...person, "Subject: Re: A role for you"], "Sounds good, call me.\n"),
    );
    expect(v).toMatchObject({
      kind: "reply",
      from: "ada@example.com",
      to: ["reply+abc123@inbound.example.net"],
      subject: "Re: A role for you",
      messageId: "r1@mail.example.com",
      inReplyTo: "out-1@beacon.example",
      references: ["first@beacon.example", "out-1@beacon.example"],
      date: "2026-06-02T07:30:00.000Z",
      text: "Sounds good, call me.\n",
    });
  });

  it("keeps a reply a reply when its quoted history holds out-of-office words", async () => {
    const body = [
      "Happy to talk on Thursday.",
      "",
      "On Mon, 1 Jun 2026 at 10:00, Recruiter <me@beacon.example> wrote:",
      "> I am out of the office until Monday, but wanted to reach out.",
    ].join("\n");
    const v = await classifyMail(mail([...person, "Subject: Re: A role for you"], body));
    expect(v.kind).toBe("reply");
  });

  it("reads X-Auto-Response-Suppress alone as a reply (Outlook sets it on ordinary mail)", async () => {
    const headers = [...person, "Subject: Re: A role", "X-Auto-Response-Suppress: All"];
    expect((await classifyMail(mail(headers, "Yes, interested.\n"))).kind).toBe("reply");
  });

  it("reads X-Auto-Response-Suppress with Exchange's rules loop as an auto-reply", async () => {
    const headers = [
      ...person,
      "Subject: Re: A role",
      "X-Auto-Response-Suppress: All",
      "X-MS-Exchange-Inbox-Rules-Loop: ada@example.com",
    ];
    expect((await classifyMail(mail(headers, "Thanks for your message.\n"))).kind).toBe(
      "auto_reply",
    );
  });

  it.each([
    ["Auto-Submitted: auto-replied"],
    ["Auto-Submitted: auto-generated"],
    ["X-Autoreply: yes"],
    ["X-Autorespond: on"],
    ["Precedence: auto_reply"],
    ["Precedence: bulk"],
    ["Precedence: junk"],
    ["X-Apple-Action: vacation"],
  ])("reads %s as an automatic reply", async (flag) => {
    const v = await classifyMail(
      mail([...person, "Subject: Thanks", flag], "We got your message.\n"),
    );
    expect(v.kind).toBe("auto_reply");
  });

  it("does not count Auto-Submitted: no", async () => {
    const v = await classifyMail(
      mail([...person, "Subject: Re: hi", "Auto-Submitted: no"], "Hello!\n"),
    );
    expect(v.kind).toBe("reply");
  });

  it.each([
    ["Automatic reply: A role", false],
    ["Auto-Reply: A role", false],
    ["Out of Office: A role", true],
    ["Abwesenheitsnotiz: A role", true],
    ["Automatische Antwort: A role", false],
    ["Réponse automatique : A role", false],
    ["Absence: A role", true],
    ["Respuesta automática: A role", false],
    ["Fuera de la oficina: A role", true],
    ["Resposta automática: A role", false],
    ["Ausência: A role", true],
    ["Automatisch antwoord: A role", false],
    ["Afwezig: A role", true],
    ["Risposta automatica: A role", false],
    ["Fuori sede: A role", true],
    ["Frånvaro: A role", true],
    ["Automatiskt svar: A role", false],
    ["自動応答: A role", false],
    ["不在: A role", true],
    ["【自動応答】A role", false],
  ])(
    "reads the subject %s as an auto-reply (out of office: %s) without any header",
    async (subject, ooo) => {
      const v = await classifyMail(
        mail([...person, `Subject: ${subject}`], "Thank you for your email.\n"),
      );
      expect(v.kind).toBe("auto_reply");
      expect(v.outOfOffice).toBe(ooo);
    },
  );

  it.each([
    "I am out of the office until 12 June with limited access to email.",
    "Ich bin bis zum 12. Juni nicht im Büro.",
    "Je suis absent du bureau jusqu'au 12 juin.",
    "Estoy fuera de la oficina hasta el 12 de junio.",
    "Estou fora do escritório até 12 de junho.",
    "Ik ben afwezig tot 12 juni.",
    "Sono fuori ufficio fino al 12 giugno.",
    "Jag är ledig till och med 12 juni.",
    "6月12日まで不在にしております。",
  ])(
    "reads out-of-office wording with no header and no quote as out of office: %s",
    async (text) => {
      const v = await classifyMail(mail([...person, "Subject: Re: A role for you"], `${text}\n`));
      expect(v).toMatchObject({ kind: "auto_reply", outOfOffice: true });
    },
  );

  it("tells an out-of-office from other automatic mail by its body", async () => {
    const headers = [...person, "Subject: Automatic reply: A role", "Auto-Submitted: auto-replied"];
    const away = await classifyMail(mail(headers, "I'm on annual leave until 15 June.\n"));
    const ticket = await classifyMail(mail(headers, "Your ticket #123 was received.\n"));
    expect(away.outOfOffice).toBe(true);
    expect(ticket.outOfOffice).toBe(false);
  });

  it("calls mail from a mail system that reports nothing other, not a reply", async () => {
    const v = await classifyMail(
      mail(["From: postmaster@example.org", "To: me@beacon.example", "Subject: Hello"], "Hi.\n"),
    );
    expect(v.kind).not.toBe("reply");
  });

  it("reads a person's Re: to a bounce as their reply", async () => {
    const v = await classifyMail(
      mail([...person, "Subject: Re: Undeliverable: A role"], "Try my other address.\n"),
    );
    expect(v.kind).toBe("reply");
  });
});
