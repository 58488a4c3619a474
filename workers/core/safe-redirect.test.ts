import { describe, expect, it } from "vitest";
import { safeRedirect } from "./safe-redirect";

describe("safeRedirect", () => {
  it("keeps a path of ours with its query and hash", () => {
    expect(safeRedirect("/campaigns/abc?tab=stages#s2")).toBe("/campaigns/abc?tab=stages#s2");
  });

  it("keeps an encoded query value that decodes to a path", () => {
    expect(safeRedirect("/people?q=a%2Fb")).toBe("/people?q=a%2Fb");
  });

  it("normalizes dot segments", () => {
    expect(safeRedirect("/people/../campaigns")).toBe("/campaigns");
  });

  it("falls back for missing, empty or non-string values", () => {
    expect(safeRedirect(undefined)).toBe("/people");
    expect(safeRedirect(null)).toBe("/people");
    expect(safeRedirect("")).toBe("/people");
    expect(safeRedirect(42)).toBe("/people");
  });

  it("uses the fallback given", () => {
    expect(safeRedirect("//evil.example", "/teams/new")).toBe("/teams/new");
  });

  it.each([
    ["protocol-relative", "//evil.example"],
    ["slash-backslash", "/\\evil.com"],
    ["backslash-slash", "\\/evil.com"],
    ["backslash later in the path", "/people\\..\\..\\evil.com"],
    ["absolute https URL", "https://evil.example"],
    ["absolute URL of another scheme", "javascript:alert(1)"],
    ["relative path", "evil.example"],
    ["encoded backslash", "/%5Cevil.example"],
    ["lower-case encoded backslash", "/%5cevil.example"],
    ["encoded slashes", "/%2F%2Fevil.example"],
    ["encoded slashes without the leading slash", "%2F%2Fevil.example"],
    ["double-encoded backslash", "/%255Cevil.example"],
    ["tab between the slashes", "/\t/evil.example"],
    ["newline", "/\nevil.example"],
    ["NUL", "/people\u0000"],
    ["encoded control char", "/%09/evil.example"],
    ["malformed escape", "/people/%E0%A4%A"],
    ["dot segment that normalizes to //", "/.//evil.example"],
    ["dot-dot segment that normalizes to //", "/a/..//evil.example"],
  ])("rejects %s", (_name, to) => {
    expect(safeRedirect(to)).toBe("/people");
  });
});
