import { describe, expect, it } from "vitest";
import { escapeHtml, mergeFieldsIn, renderHtml, renderTemplate, unknownMergeFields } from "./merge";

const ada = {
  firstName: "Ada",
  lastName: "Lovelace",
  jobTitle: "Staff Engineer",
  senderName: "Sam",
};

describe("renderTemplate", () => {
  it("fills every merge field", () => {
    expect(
      renderTemplate("Hi {{firstName}} {{lastName}}, re {{jobTitle}} — {{senderName}}", ada),
    ).toEqual({
      ok: true,
      text: "Hi Ada Lovelace, re Staff Engineer — Sam",
    });
  });

  it("tolerates whitespace inside the braces and letter case", () => {
    expect(renderTemplate("Hi {{ firstName }} {{FIRSTNAME}}", ada)).toEqual({
      ok: true,
      text: "Hi Ada Ada",
    });
  });

  it("fails on a missing or blank value instead of writing 'Hi ,'", () => {
    expect(
      renderTemplate("Hi {{firstName}} {{lastName}},", { firstName: "Ada", lastName: "  " }),
    ).toEqual({
      ok: false,
      missing: ["lastName"],
      unknown: [],
    });
    expect(renderTemplate("Re {{jobTitle}}", { jobTitle: null })).toEqual({
      ok: false,
      missing: ["jobTitle"],
      unknown: [],
    });
  });

  it("reports unknown field names", () => {
    expect(renderTemplate("Hi {{fristName}}", ada)).toEqual({
      ok: false,
      missing: [],
      unknown: ["fristName"],
    });
  });

  it("leaves single braces alone", () => {
    expect(renderTemplate("Plain {text} and {100}", {})).toEqual({
      ok: true,
      text: "Plain {text} and {100}",
    });
  });

  it("reports empty double braces as an unknown field", () => {
    expect(renderTemplate("Hi {{ }}", ada)).toEqual({ ok: false, missing: [], unknown: [""] });
  });

  it("does not re-expand braces that come from the data", () => {
    expect(renderTemplate("Hi {{firstName}}", { firstName: "{{lastName}}" })).toEqual({
      ok: true,
      text: "Hi {{lastName}}",
    });
  });
});

describe("renderHtml", () => {
  it("escapes the merged data but not the template", () => {
    const r = renderHtml("<p>Hi {{firstName}}</p>", { firstName: `<b>"Bo" & 'Al'</b>` });
    expect(r).toEqual({
      ok: true,
      text: "<p>Hi &lt;b&gt;&quot;Bo&quot; &amp; &#39;Al&#39;&lt;/b&gt;</p>",
    });
  });

  it("escapes all five characters", () => {
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
  });
});

describe("mergeFieldsIn", () => {
  it("lists distinct names in order of first use", () => {
    expect(mergeFieldsIn("{{lastName}} {{ firstName }} {{lastName}} {{oops}}")).toEqual([
      "lastName",
      "firstName",
      "oops",
    ]);
    expect(unknownMergeFields("{{lastName}} {{oops}}")).toEqual(["oops"]);
  });
});
