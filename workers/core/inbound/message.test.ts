import { describe, expect, it } from "vitest";
import { messageIds, readMail, repairBoundary, repairFolding, toLf } from "./message";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("toLf", () => {
  it("turns CRLF and bare CR into LF and leaves LF alone", () => {
    expect(text(toLf(bytes("a\r\nb\rc\nd\r\n")))).toBe("a\nb\nc\nd\n");
    const lf = bytes("a\nb\n");
    expect(toLf(lf)).toBe(lf);
  });
});

describe("repairFolding", () => {
  it("indents a Content-Type parameter left on a line of its own", () => {
    const raw = bytes('Content-Type: multipart/alternative;\nboundary="x"\n\nbody\n');
    expect(text(repairFolding(raw))).toBe(
      'Content-Type: multipart/alternative;\n\tboundary="x"\n\nbody\n',
    );
  });

  it("leaves other lines that end with a semicolon alone", () => {
    const raw = bytes("Subject: a;\nb=c\n\nbody;\nx=1\n");
    expect(repairFolding(raw)).toBe(raw);
  });
});

describe("repairBoundary", () => {
  it("takes the boundary the body uses when the declared one is not there", () => {
    const raw = bytes(
      'Content-Type: multipart/mixed; boundary="declared"\n\n--used\nContent-Type: text/plain\n\nhello\n--used--\n',
    );
    const fixed = repairBoundary(raw);
    expect(fixed && text(fixed)).toContain('boundary="used"');
    expect(
      repairBoundary(bytes('Content-Type: multipart/mixed; boundary="b"\n\n--b\n\nx\n--b--\n')),
    ).toBeNull();
  });
});

describe("messageIds", () => {
  it("lists ids without brackets", () => {
    expect(messageIds("<a@b> <c@d>")).toEqual(["a@b", "c@d"]);
    expect(messageIds("a@b")).toEqual(["a@b"]);
    expect(messageIds(undefined)).toEqual([]);
  });
});

describe("readMail", () => {
  it("reads a multipart message whose declared boundary is wrong", async () => {
    const mail = await readMail(
      'From: a@b.example\nSubject: x\nContent-Type: multipart/mixed; boundary="declared"\n\n--used\nContent-Type: text/plain\n\nhello there\n--used--\n',
    );
    expect(mail.text.trim()).toBe("hello there");
  });

  it("decodes encoded words and keeps report parts apart from the text", async () => {
    const mail = await readMail(
      [
        "From: =?UTF-8?Q?Z=C3=BCrich?= <z@example.ch>",
        "Subject: =?UTF-8?B?w6Rw?=",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
        "",
        "--r",
        "Content-Type: text/plain",
        "",
        "words",
        "--r",
        "Content-Type: message/delivery-status",
        "",
        "Final-Recipient: rfc822; x@example.org",
        "--r--",
        "",
      ].join("\n"),
    );
    expect(mail).toMatchObject({
      subject: "äp",
      fromName: "Zürich",
      from: "z@example.ch",
      reportType: "delivery-status",
    });
    expect(mail.text.trim()).toBe("words");
    expect(mail.parts.map((p) => p.mimeType)).toEqual(["message/delivery-status"]);
  });
});
