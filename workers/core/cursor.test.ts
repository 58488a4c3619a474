import { describe, expect, it } from "vitest";
import { z } from "zod";
import { cursorParam, cursorProblem, decodeCursor, encodeCursor } from "./cursor";

const Key = z.tuple([z.number(), z.string().min(1)]);

describe("encodeCursor", () => {
  it("writes base64url without padding", () => {
    // ["ÿÿ"] is WyLDv8O/Il0= in standard base64: its / and = would need escaping in a URL.
    expect(encodeCursor(["ÿÿ"])).toBe("WyLDv8O_Il0");
  });
});

describe("decodeCursor", () => {
  it("reads back what encodeCursor wrote", () => {
    expect(decodeCursor(encodeCursor([1712000000000, "abc"]), Key)).toEqual({
      ok: true,
      value: [1712000000000, "abc"],
    });
  });

  it("reads back names outside ASCII", () => {
    const Name = z.tuple([z.string(), z.string()]);
    expect(decodeCursor(encodeCursor(["李 zoë 🙂", "id-1"]), Name)).toEqual({
      ok: true,
      value: ["李 zoë 🙂", "id-1"],
    });
  });

  it("reads null in a key", () => {
    const Nullable = z.tuple([z.number().nullable(), z.string()]);
    expect(decodeCursor(encodeCursor([null, "x"]), Nullable)).toEqual({
      ok: true,
      value: [null, "x"],
    });
  });

  it("reads older cursors written in standard base64, padding included", () => {
    // [5,"a?"] is WzUsImE/Il0= in standard base64 (WzUsImE_Il0 in base64url).
    expect(decodeCursor("WzUsImE/Il0=", Key)).toEqual({ ok: true, value: [5, "a?"] });
    expect(decodeCursor("WzUsImE_Il0", Key)).toEqual({ ok: true, value: [5, "a?"] });
  });

  it("answers undefined for an absent or empty cursor", () => {
    expect(decodeCursor(undefined, Key)).toEqual({ ok: true, value: undefined });
    expect(decodeCursor(null, Key)).toEqual({ ok: true, value: undefined });
    expect(decodeCursor("", Key)).toEqual({ ok: true, value: undefined });
  });

  it("refuses text that is not base64", () => {
    for (const raw of ["%%%", "not a cursor", "abc!", "a"]) {
      const decoded = decodeCursor(raw, Key);
      expect(decoded.ok, raw).toBe(false);
      if (!decoded.ok) expect(decoded.message).toMatch(/cursor.*base64/);
    }
  });

  it("refuses base64 of bytes that are not UTF-8 text", () => {
    // 0xFF 0xFE is not UTF-8.
    expect(decodeCursor("__4", Key)).toEqual({
      ok: false,
      message: expect.stringMatching(/cursor.*base64url text/),
    });
  });

  it("refuses base64 of something that is not JSON", () => {
    const decoded = decodeCursor("bm90LWpzb24", Key);
    expect(decoded).toEqual({ ok: false, message: expect.stringMatching(/cursor.*not JSON/) });
  });

  it("refuses JSON of the wrong shape", () => {
    for (const key of [["abc", 1], [1], [1, "a", "b"], []]) {
      const decoded = decodeCursor(encodeCursor(key), Key);
      expect(decoded, JSON.stringify(key)).toEqual({
        ok: false,
        message: expect.stringMatching(/cursor.*not a position/),
      });
    }
    expect(decodeCursor(btoa('{"a":1}'), Key).ok).toBe(false);
  });

  it("refuses a cursor far longer than any it writes", () => {
    expect(decodeCursor("A".repeat(5000), Key)).toEqual({
      ok: false,
      message: expect.stringMatching(/too long/),
    });
  });

  it("gives the schema's output, transforms included", () => {
    const Offset = z.tuple([z.number().int().min(0)]).transform(([n]) => n);
    expect(decodeCursor(encodeCursor([50]), Offset)).toEqual({ ok: true, value: 50 });
  });
});

describe("cursorParam", () => {
  const Query = z.object({ cursor: cursorParam(Key), limit: z.coerce.number().max(10) });

  it("gives the key, or undefined when there is none", () => {
    expect(Query.parse({ cursor: encodeCursor([3, "x"]), limit: "1" }).cursor).toEqual([3, "x"]);
    expect(Query.parse({ limit: "1" }).cursor).toBeUndefined();
    expect(Query.parse({ cursor: "", limit: "1" }).cursor).toBeUndefined();
  });

  it("puts a bad cursor's issue on cursor, which cursorProblem finds", () => {
    const parsed = Query.safeParse({ cursor: "%%%", limit: "1" });
    expect(parsed.success).toBe(false);
    if (!parsed.success) {
      expect(parsed.error.issues.map((i) => i.path)).toEqual([["cursor"]]);
      expect(cursorProblem(parsed.error)).toMatch(/cursor is not one this list gave out/);
    }
  });

  it("leaves other parameters' issues to the caller", () => {
    const parsed = Query.safeParse({ limit: "500" });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(cursorProblem(parsed.error)).toBeUndefined();
  });
});
