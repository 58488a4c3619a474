import { describe, expect, it } from "vitest";
import { signedPayload, signedUrls, verifyTwilioSignature } from "./twilio-signature";

// Twilio's documented example (auth token 12345) and the signature its docs give for it.
const TOKEN = "12345";
const URL_SIGNED = "https://mycompany.com/myapp.php?foo=1&bar=2";
const PARAMS: [string, string][] = [
  ["To", "+18005551212"],
  ["CallSid", "CA1234567890ABCDE"],
  ["From", "+14158675309"],
  ["Digits", "1234"],
  ["Caller", "+14158675309"],
];
const SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

describe("verifyTwilioSignature", () => {
  it("accepts Twilio's documented example, the parameters in any order", async () => {
    expect(await verifyTwilioSignature(TOKEN, SIGNATURE, [URL_SIGNED], PARAMS)).toBe(true);
    const reversed = [...PARAMS].reverse();
    expect(await verifyTwilioSignature(TOKEN, SIGNATURE, [URL_SIGNED], reversed)).toBe(true);
  });

  it("refuses a changed parameter, another URL, another token", async () => {
    const changed = PARAMS.map(([k, v]): [string, string] => [k, k === "Digits" ? "1235" : v]);
    expect(await verifyTwilioSignature(TOKEN, SIGNATURE, [URL_SIGNED], changed)).toBe(false);
    const other = "https://mycompany.com/myapp.php?foo=1&bar=3";
    expect(await verifyTwilioSignature(TOKEN, SIGNATURE, [other], PARAMS)).toBe(false);
    expect(await verifyTwilioSignature("54321", SIGNATURE, [URL_SIGNED], PARAMS)).toBe(false);
  });

  it("refuses a parameter added to what Twilio signed", async () => {
    const added: [string, string][] = [...PARAMS, ["Body", "STOP"]];
    expect(await verifyTwilioSignature(TOKEN, SIGNATURE, [URL_SIGNED], added)).toBe(false);
  });

  it("refuses a signature that is not base64 of 20 bytes", async () => {
    for (const bad of ["", "not base64!", "AAAA", `${SIGNATURE}AAAA`]) {
      expect(await verifyTwilioSignature(TOKEN, bad, [URL_SIGNED], PARAMS), bad).toBe(false);
    }
  });

  it("accepts the signature for any of the candidate URLs", async () => {
    const urls = ["https://elsewhere.example/x", URL_SIGNED];
    expect(await verifyTwilioSignature(TOKEN, SIGNATURE, urls, PARAMS)).toBe(true);
  });
});

describe("signedPayload", () => {
  it("sorts repeated names by value, each pair written name + value", () => {
    const payload = signedPayload("https://x.test/h", [
      ["b", "2"],
      ["a", "z"],
      ["a", "y"],
    ]);
    expect(payload).toBe("https://x.test/hayazb2");
  });
});

describe("signedUrls", () => {
  it("uses PUBLIC_URL's origin with the request's path and query, not the request's host", () => {
    const request = new URL("http://10.0.0.7:8080/webhooks/twilio?x=1");
    expect(signedUrls("https://beacon.example.com", request)).toEqual([
      "https://beacon.example.com/webhooks/twilio?x=1",
      "https://beacon.example.com:443/webhooks/twilio?x=1",
    ]);
  });

  it("keeps an explicit port and only that", () => {
    const request = new URL("http://localhost:8787/webhooks/twilio");
    expect(signedUrls("http://localhost:8787/", request)).toEqual([
      "http://localhost:8787/webhooks/twilio",
    ]);
  });
});
