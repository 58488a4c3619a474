import { describe, expect, it } from "vitest";
import { replyToken, unsubscribeToken, verifyReplyToken, verifyUnsubscribeToken } from "./tokens";

const SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret";
const ID = "0f8fad5b-d9cb-469f-a165-70867728950e";

describe("reply tokens", () => {
  it("fit an address's local part in lower case and name the message", async () => {
    const token = await replyToken(SECRET, ID);
    expect(`reply+${token}`.length).toBeLessThanOrEqual(64);
    expect(token).toMatch(/^[0-9a-f]+$/);
    expect(await verifyReplyToken(SECRET, token)).toBe(ID);
    expect(await verifyReplyToken(SECRET, token.toUpperCase())).toBe(ID);
  });

  it("refuse a forged or altered token", async () => {
    const token = await replyToken(SECRET, ID);
    const altered = `${token.slice(0, 47)}${token[47] === "0" ? "1" : "0"}`;
    expect(await verifyReplyToken(SECRET, altered)).toBeNull();
    expect(await verifyReplyToken("another-secret-another-secret-000", token)).toBeNull();
    expect(await verifyReplyToken(SECRET, "not-a-token")).toBeNull();
  });
});

describe("unsubscribe tokens", () => {
  const claim = { t: "team-1", p: "person-1", c: "campaign-1", e: "ann@example.org" };

  it("round-trip their claim", async () => {
    const token = await unsubscribeToken(SECRET, claim);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(await verifyUnsubscribeToken(SECRET, token)).toEqual(claim);
  });

  it("refuse another team's claim pasted onto a genuine signature", async () => {
    const token = await unsubscribeToken(SECRET, claim);
    const [, mac] = token.split(".");
    const forgedBody = btoa(JSON.stringify({ ...claim, t: "team-2" })).replace(/=+$/, "");
    expect(await verifyUnsubscribeToken(SECRET, `${forgedBody}.${mac}`)).toBeNull();
    expect(await verifyUnsubscribeToken(SECRET, `${token}x`)).toBeNull();
    expect(await verifyUnsubscribeToken(SECRET, "garbage")).toBeNull();
  });
});
