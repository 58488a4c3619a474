import { describe, expect, it } from "vitest";
import { bareAddress, companyDomain, ourRowIds, routeOf, sameAddress } from "./routing";

describe("routeOf", () => {
  it("reads reply and sync addresses of our inbound domain, in any case", () => {
    expect(routeOf("reply+abc123@in.example", "in.example")).toEqual({
      via: "reply",
      token: "abc123",
    });
    expect(routeOf("<SYNC+Tok9@IN.example>", "in.example")).toEqual({ via: "sync", token: "tok9" });
  });

  it("is neither for another domain, another local part, or no inbound domain", () => {
    expect(routeOf("reply+abc@other.example", "in.example")).toEqual({ via: "other" });
    expect(routeOf("hello@in.example", "in.example")).toEqual({ via: "other" });
    expect(routeOf("reply+abc@in.example", null)).toEqual({ via: "other" });
  });
});

describe("ourRowIds", () => {
  const a = "0b7c6f2e-1d2a-4c3b-9e8f-112233445566";
  const b = "9a8b7c6d-5e4f-4a3b-8c2d-665544332211";
  it("finds our row ids on our host, newest (last in References) first", () => {
    expect(
      ourRowIds(
        [`<${a}@beacon.example>`, `<x@gmail.com> <${a}@beacon.example> <${b}@Beacon.example>`],
        "beacon.example",
      ),
    ).toEqual([b, a]);
  });

  it("ignores other hosts and ids that are not ours", () => {
    expect(
      ourRowIds([`<${a}@elsewhere.example> <not-a-uuid@beacon.example>`], "beacon.example"),
    ).toEqual([]);
    expect(ourRowIds([null, undefined], "beacon.example")).toEqual([]);
  });
});

describe("addresses", () => {
  it("takes the bare address of a display form", () => {
    expect(bareAddress('"Ada L." <Ada@Example.org>')).toBe("ada@example.org");
    expect(bareAddress("ada@example.org")).toBe("ada@example.org");
    expect(bareAddress("no address")).toBeNull();
  });

  it("treats Gmail dots, +tags and case as the same address", () => {
    expect(sameAddress("A.da.Lovelace+jobs@gmail.com", "adalovelace@googlemail.com")).toBe(true);
    expect(sameAddress("ada@work.example", "bob@work.example")).toBe(false);
  });

  it("gives a company domain, but none for free mail", () => {
    expect(companyDomain("Ada@Acme.example")).toBe("acme.example");
    expect(companyDomain("ada@gmail.com")).toBeNull();
  });
});
