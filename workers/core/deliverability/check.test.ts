import { describe, expect, it } from "vitest";
import { checkEmailStage, type Finding, hostOf, type MailboxFacts, visibleText } from "./check";

const CLEAN = {
  subject: "Quick question, {{firstName}}",
  body: "Hi {{firstName}},\n\nWould you be open to a chat about the {{jobTitle}} role?\n\n{{senderName}}",
};
const ON = { unsubscribeLink: true };
const codes = (f: Finding[]) => f.map((x) => x.code);
const check = (stage: Partial<typeof CLEAN>, ctx: Parameters<typeof checkEmailStage>[1] = ON) =>
  checkEmailStage({ ...CLEAN, ...stage }, ctx);

describe("a plain, personal email", () => {
  it("has no findings", () => {
    expect(check({})).toEqual([]);
  });
});

describe("subject", () => {
  it("mostly capitals is a warning on the subject", () => {
    const f = check({ subject: "AMAZING ROLE FOR YOU {{firstName}}" });
    expect(f).toContainEqual(
      expect.objectContaining({ code: "subject_capitals", severity: "warning", field: "subject" }),
    );
  });

  it("an acronym or two in a normal subject is fine", () => {
    expect(codes(check({ subject: "Senior SRE role at ACME, {{firstName}}?" }))).not.toContain(
      "subject_capitals",
    );
  });

  it("repeated !, ? or $ is excessive punctuation, naming the run", () => {
    const f = check({ subject: "Hi {{firstName}}!!! Interested???" });
    const p = f.find((x) => x.code === "excessive_punctuation");
    expect(p).toMatchObject({ field: "subject", severity: "warning" });
    expect(p?.message).toContain("“!!!”");
    expect(p?.message).toContain("“???”");
    expect(codes(check({ body: "Earn $$$ with {{firstName}}" }))).toContain(
      "excessive_punctuation",
    );
  });

  it("a single ! or ? is fine", () => {
    expect(check({ subject: "Hi {{firstName}}! Free for a call?" })).toEqual([]);
  });
});

describe("spam phrases", () => {
  it("are found in any case as whole words and named in the message", () => {
    const f = check({ body: "Hi {{firstName}}, ACT NOW: this is Guaranteed to work." });
    const p = f.find((x) => x.code === "spam_phrase");
    expect(p).toMatchObject({ field: "body", severity: "warning" });
    expect(p?.message).toContain("“act now”");
    expect(p?.message).toContain("“guaranteed”");
  });

  it("a phrase inside another word does not count", () => {
    expect(
      codes(check({ body: "Hi {{firstName}}, our winners' circle… no: unguaranteedly" })),
    ).not.toContain("spam_phrase");
  });

  it("in the subject is reported on the subject", () => {
    expect(check({ subject: "Congratulations {{firstName}}" })[0]).toMatchObject({
      code: "spam_phrase",
      field: "subject",
    });
  });
});

describe("merge fields", () => {
  it("none in subject or body is an info finding", () => {
    const f = check({ subject: "A role", body: "Hello, are you open to a chat?" });
    expect(f).toEqual([expect.objectContaining({ code: "no_merge_field", severity: "info" })]);
  });

  it("an unknown name such as {{fristName}} is not a merge field", () => {
    expect(codes(check({ subject: "A role", body: "Hi {{fristName}}" }))).toContain(
      "no_merge_field",
    );
  });

  it("an empty draft says nothing about merge fields", () => {
    expect(check({ subject: "", body: "" })).toEqual([]);
  });
});

describe("unsubscribe link", () => {
  it("is missing when the campaign's link is off and the body has none", () => {
    expect(check({}, { unsubscribeLink: false })).toEqual([
      expect.objectContaining({ code: "no_unsubscribe_link", severity: "warning", field: "body" }),
    ]);
  });

  it("the body's own unsubscribe link (anchor or bare URL) is enough", () => {
    const anchor = `${CLEAN.body}\n<a href="https://acme.example/prefs">Unsubscribe</a>`;
    const bare = `${CLEAN.body}\nOpt out: https://acme.example/unsubscribe?u=1`;
    expect(check({ body: anchor }, { unsubscribeLink: false })).toEqual([]);
    expect(check({ body: bare }, { unsubscribeLink: false })).toEqual([]);
  });
});

describe("links", () => {
  it("text showing one domain but pointing at another is a warning naming both", () => {
    const body = `${CLEAN.body}\nSee <a href="https://tracker.example.net/x">www.acme.com/jobs</a>`;
    const f = check({ body });
    const p = f.find((x) => x.code === "link_domain_mismatch");
    expect(p?.message).toContain("acme.com → tracker.example.net");
  });

  it("the same site, a subdomain of it, or plain words are fine", () => {
    const body = `${CLEAN.body}
<a href="https://careers.acme.com/1">acme.com/jobs</a>
<a href="https://www.acme.com/2">https://acme.com/2</a>
<a href="https://elsewhere.example/3">the job description</a>`;
    expect(check({ body })).toEqual([]);
  });

  it("reads hosts from URLs and bare names, without www.", () => {
    expect(hostOf("https://www.Acme.com/x")).toBe("acme.com");
    expect(hostOf("acme.co.uk")).toBe("acme.co.uk");
    expect(hostOf("the job")).toBeNull();
  });
});

describe("images", () => {
  it("a body that is an image with a few words is image-only", () => {
    const body = '<img src="https://acme.example/banner.png"> Hi {{firstName}}';
    expect(codes(check({ body }))).toContain("image_only");
  });

  it("an image beside real text is fine", () => {
    const body = `${CLEAN.body}<img src="https://acme.example/logo.png">`;
    expect(codes(check({ body }))).not.toContain("image_only");
  });

  it("visible text drops tags and decodes spaces", () => {
    expect(visibleText("<p>Hi&nbsp;<b>Ada</b></p>")).toBe("Hi Ada");
  });
});

describe("mailbox and domain", () => {
  const verified = (records: MailboxFacts["domain"]) => ({
    unsubscribeLink: true,
    mailbox: { address: "pat@acme.com", canSend: true, domain: records },
  });

  it("no mailbox (or the local sink) says nothing about DNS", () => {
    expect(check({}, { unsubscribeLink: true, mailbox: null })).toEqual([]);
    expect(check({}, verified("sink"))).toEqual([]);
  });

  it("a mailbox that cannot send is a warning on the mailbox", () => {
    const f = check({}, { unsubscribeLink: true, mailbox: { canSend: false } });
    expect(f).toEqual([expect.objectContaining({ code: "mailbox_cannot_send", field: "mailbox" })]);
  });

  it("an unregistered domain cannot pass SPF or DKIM", () => {
    const f = check({}, verified(null));
    expect(f).toEqual([
      expect.objectContaining({ code: "domain_not_verified", severity: "warning" }),
    ]);
    expect(f[0].message).toContain("acme.com");
  });

  it("SPF and DKIM verified, no DMARC: only an info about DMARC", () => {
    const f = check(
      {},
      verified({
        name: "acme.com",
        status: "verified",
        records: [
          { record: "SPF", status: "verified" },
          { record: "DKIM", status: "verified" },
        ],
      }),
    );
    expect(f).toEqual([expect.objectContaining({ code: "dmarc_unverified", severity: "info" })]);
    expect(f[0].message).toContain("_dmarc.acme.com");
  });

  it("a DKIM record still pending is named", () => {
    const f = check(
      {},
      verified({
        name: "acme.com",
        status: "pending",
        records: [
          { record: "SPF", status: "verified" },
          { record: "DKIM", status: "pending" },
          { record: "DMARC", status: "verified" },
        ],
      }),
    );
    // The domain as a whole is not verified, so neither counts as passing yet.
    expect(f).toEqual([
      expect.objectContaining({ code: "domain_auth_unverified", severity: "warning" }),
    ]);
    expect(f[0].message).toMatch(/^SPF and DKIM for acme\.com are not verified/);
  });

  it("everything verified has no mailbox findings", () => {
    const f = check(
      {},
      verified({
        name: "acme.com",
        status: "verified",
        records: ["SPF", "DKIM", "DMARC"].map((record) => ({ record, status: "verified" })),
      }),
    );
    expect(f).toEqual([]);
  });
});
