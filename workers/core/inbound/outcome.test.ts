import { describe, expect, it } from "vitest";
import { statusOfReason } from "../engine/statuses";
import { blankVerdict, outcomeOf } from "./outcome";
import type { Bounce, Verdict } from "./types";

const verdict = (v: Partial<Verdict>): Verdict => blankVerdict(v.kind ?? "other", v);
const bounce = (b: Partial<Bounce>): Verdict =>
  verdict({
    kind: "bounce",
    bounce: {
      class: "soft",
      reason: "mailboxfull",
      recipient: "a@example.org",
      status: null,
      diagnostic: null,
      delayed: false,
      ...b,
    },
  });

describe("outcomeOf", () => {
  it("marks a person's reply Replied", () => {
    const o = outcomeOf(verdict({ kind: "reply" }));
    expect(o).toEqual({
      prospect: { reason: "replied_email" },
      emailLog: null,
      suppress: false,
      replied: true,
    });
    expect(statusOfReason(o.prospect!.reason)).toBe("replied");
  });

  it("pauses for an out-of-office and ignores other automatic mail", () => {
    expect(outcomeOf(verdict({ kind: "auto_reply", outOfOffice: true })).prospect).toEqual({
      reason: "out_of_office",
    });
    const other = outcomeOf(verdict({ kind: "auto_reply" }));
    expect(other).toEqual({ prospect: null, emailLog: null, suppress: false, replied: false });
  });

  it("bounces and suppresses on a hard bounce", () => {
    const o = outcomeOf(bounce({ class: "hard", reason: "userunknown" }));
    expect(o).toEqual({
      prospect: { reason: "hard_bounce" },
      emailLog: "bounced",
      suppress: true,
      replied: false,
    });
    expect(statusOfReason(o.prospect!.reason)).toBe("bounced");
  });

  it("files a refusal as spam under Spam without suppressing the address", () => {
    const o = outcomeOf(bounce({ reason: "spamdetected" }));
    expect(o).toEqual({
      prospect: { reason: "refused_as_spam" },
      emailLog: "spam",
      suppress: false,
      replied: false,
    });
    expect(statusOfReason(o.prospect!.reason)).toBe("spam");
  });

  it("files any other failure under Not Delivered", () => {
    const o = outcomeOf(bounce({ reason: "blocked" }));
    expect(o).toEqual({
      prospect: { reason: "soft_bounce" },
      emailLog: "not_delivered",
      suppress: false,
      replied: false,
    });
    expect(statusOfReason(o.prospect!.reason)).toBe("not_delivered");
  });

  it("changes nothing on a delay warning: the MTA is still trying", () => {
    expect(outcomeOf(bounce({ reason: "expired", delayed: true }))).toEqual({
      prospect: null,
      emailLog: null,
      suppress: false,
      replied: false,
    });
  });

  it("files a complaint under Spam and suppresses the address", () => {
    const o = outcomeOf(verdict({ kind: "complaint" }));
    expect(o).toEqual({
      prospect: { reason: "complaint" },
      emailLog: "spam",
      suppress: true,
      replied: false,
    });
    expect(statusOfReason(o.prospect!.reason)).toBe("spam");
  });

  it("changes nothing for other mail", () => {
    expect(outcomeOf(verdict({ kind: "other" }))).toEqual({
      prospect: null,
      emailLog: null,
      suppress: false,
      replied: false,
    });
  });
});
