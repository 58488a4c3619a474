import { describe, expect, it } from "vitest";
import {
  inboundSmsKind,
  numberSearchKeys,
  type PhoneRow,
  planInboundSms,
  replyDetail,
  stopKeyword,
  type TextedRow,
} from "./sms-inbound";

describe("inboundSmsKind", () => {
  it("reads every Twilio opt-out keyword as a stop, whatever the case", () => {
    for (const body of [
      "STOP",
      "stop",
      "StopAll",
      "unsubscribe",
      "Cancel",
      "end",
      "QUIT",
      "revoke",
      "OptOut",
    ]) {
      expect(inboundSmsKind(body), body).toBe("stop");
    }
  });

  it("ignores surrounding spaces, line breaks and punctuation", () => {
    for (const body of [" Stop. ", "stop!", "\nSTOP\n", "...quit?", "'cancel'"]) {
      expect(inboundSmsKind(body), body).toBe("stop");
    }
  });

  it("reads a keyword inside a longer text as a reply", () => {
    for (const body of ["stop texting me please", "Please STOP", "STOP ALL", "the end", "stops"]) {
      expect(inboundSmsKind(body), body).toBe("reply");
    }
  });

  it("reads an empty text and other words as a reply", () => {
    for (const body of ["", "Yes", "START", "HELP", "Sounds good, call me tomorrow"]) {
      expect(inboundSmsKind(body), body).toBe("reply");
    }
  });
});

describe("replyDetail", () => {
  it("shows a short reply whole, trimmed", () => {
    expect(replyDetail("  Yes, call me  ")).toBe("SMS reply: Yes, call me");
  });

  it("cuts a long reply at 200 characters without splitting an emoji", () => {
    const body = `${"a".repeat(199)}😀😀 and more`;
    expect(replyDetail(body)).toBe(`SMS reply: ${"a".repeat(199)}😀…`);
  });
});

describe("numberSearchKeys", () => {
  it("gives the + and 00 forms of the sender's number", () => {
    expect(numberSearchKeys("+15550102030")).toEqual(["+15550102030", "0015550102030"]);
  });

  it("gives none for a sender that is not a phone number", () => {
    expect(numberSearchKeys("BEACON")).toEqual([]);
    expect(numberSearchKeys("12345")).toEqual([]);
  });
});

const FROM = "+15550102030";
const texted = (
  teamId: string,
  campaignId: string,
  personId: string,
  sentAt: number,
  to = "+1 555 010 2030",
): TextedRow => ({ teamId, campaignId, personId, to, sentAt });
const phone = (teamId: string, personId: string, number = "+1 (555) 010-2030"): PhoneRow => ({
  teamId,
  personId,
  number,
});

describe("planInboundSms", () => {
  it("a reply reaches the people texted at the number in the campaigns that texted them", () => {
    const plan = planInboundSms({
      from: FROM,
      body: "Interested!",
      texted: [texted("A", "c1", "ann", 100), texted("A", "c2", "ann", 50)],
      phones: [phone("A", "ann")],
    });
    expect(plan).toEqual({
      matched: true,
      kind: "reply",
      targets: [
        { teamId: "A", personIds: ["ann"], campaignIds: ["c1", "c2"], theirCampaigns: false },
      ],
    });
  });

  it("a reply to texts of two teams reaches only the team that texted last", () => {
    const plan = planInboundSms({
      from: FROM,
      body: "Who is this?",
      texted: [texted("A", "a1", "ann", 100), texted("B", "b1", "bea", 200)],
      phones: [phone("A", "ann"), phone("B", "bea")],
    });
    expect(plan).toMatchObject({
      matched: true,
      targets: [{ teamId: "B", personIds: ["bea"], campaignIds: ["b1"] }],
    });
  });

  it("a STOP reaches every team that texted the number, and everyone there who holds it", () => {
    const plan = planInboundSms({
      from: FROM,
      body: "STOP",
      texted: [texted("B", "b1", "bea", 200), texted("A", "a1", "ann", 100)],
      phones: [phone("A", "ann"), phone("A", "ann-twin"), phone("B", "bea"), phone("C", "cy")],
    });
    expect(plan).toEqual({
      matched: true,
      kind: "stop",
      targets: [
        { teamId: "A", personIds: ["ann", "ann-twin"], campaignIds: ["a1"], theirCampaigns: true },
        { teamId: "B", personIds: ["bea"], campaignIds: ["b1"], theirCampaigns: true },
      ],
    });
  });

  it("a team that only holds the number is not touched when another team texted it", () => {
    for (const body of ["STOP", "hello"]) {
      const plan = planInboundSms({
        from: FROM,
        body,
        texted: [texted("B", "b1", "bea", 200)],
        phones: [phone("A", "ann"), phone("B", "bea")],
      });
      expect(plan.matched && plan.targets.map((t) => t.teamId), body).toEqual(["B"]);
    }
  });

  it("with no text sent, the profiles holding the number decide, in their campaigns", () => {
    const plan = planInboundSms({
      from: FROM,
      body: "hi",
      texted: [],
      phones: [phone("A", "ann")],
    });
    expect(plan).toEqual({
      matched: true,
      kind: "reply",
      targets: [{ teamId: "A", personIds: ["ann"], campaignIds: [], theirCampaigns: true }],
    });
  });

  it("with no text sent, a STOP reaches every team holding the number", () => {
    const plan = planInboundSms({
      from: FROM,
      body: "stop",
      texted: [],
      phones: [phone("B", "bea"), phone("A", "ann")],
    });
    expect(plan.matched && plan.targets.map((t) => t.teamId)).toEqual(["A", "B"]);
  });

  it("with no text sent, a reply to a number two teams hold is not matched", () => {
    const plan = planInboundSms({
      from: FROM,
      body: "hi",
      texted: [],
      phones: [phone("A", "ann"), phone("B", "bea")],
    });
    expect(plan).toMatchObject({
      matched: false,
      kind: "reply",
      why: expect.stringMatching(/2 teams/),
    });
  });

  it("compares numbers in E.164, however the profile wrote them", () => {
    const plan = planInboundSms({
      from: FROM,
      body: "ok",
      texted: [texted("A", "a1", "ann", 1, "001 555.010.2030")],
      phones: [],
    });
    expect(plan.matched).toBe(true);
  });

  it("ignores rows of other numbers and numbers with an extension", () => {
    const plan = planInboundSms({
      from: FROM,
      body: "ok",
      texted: [texted("A", "a1", "ann", 1, "+1 555 010 2031")],
      phones: [phone("A", "ann", "+1 555 010 2030 x12"), phone("A", "bo", "555 010 2030")],
    });
    expect(plan).toMatchObject({ matched: false });
  });

  it("matches nothing for a sender that is not a phone number", () => {
    const plan = planInboundSms({
      from: "BEACON",
      body: "STOP",
      texted: [texted("A", "a1", "ann", 1)],
      phones: [phone("A", "ann")],
    });
    expect(plan).toMatchObject({ matched: false, kind: "stop" });
  });
});

describe("stopKeyword", () => {
  it("names the keyword a text is, upper-cased, or null for a reply", () => {
    expect(stopKeyword(" Stop. ")).toBe("STOP");
    expect(stopKeyword("optout!")).toBe("OPTOUT");
    expect(stopKeyword("stop it")).toBeNull();
  });
});
