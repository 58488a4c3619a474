import { describe, expect, it } from "vitest";
import { linksIn, trackHtml, trackText } from "./links";

const T = (url: string) => `https://t.example/c/${encodeURIComponent(url)}`;

describe("tracked links", () => {
  it("finds distinct URLs in order, without a sentence's trailing punctuation", () => {
    expect(
      linksIn("See https://a.example/x. And (https://b.example/y), https://a.example/x!"),
    ).toEqual(["https://a.example/x", "https://b.example/y"]);
  });

  it("replaces URLs in plain text, keeping punctuation after them", () => {
    expect(trackText("Go: https://a.example/x?a=1&b=2.", T)).toBe(
      `Go: ${T("https://a.example/x?a=1&b=2")}.`,
    );
  });

  it("links bare URLs in HTML text and rewrites href of existing links, never inside a link's text", () => {
    const html =
      'Hi &amp; see https://a.example/x?a=1&amp;b=2. <a href="https://b.example/">https://b.example/</a>';
    expect(trackHtml(html, T)).toBe(
      `Hi &amp; see <a href="${T("https://a.example/x?a=1&b=2")}">https://a.example/x?a=1&amp;b=2</a>. <a href="${T("https://b.example/")}">https://b.example/</a>`,
    );
  });
});
