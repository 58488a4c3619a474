import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { browserForFile, signedInSession, VIEWPORTS } from "./harness";

const browser = browserForFile();

const ROWS = 3_000;
/** Data rows (0-based) that are refused, and why; a data row's file line is its index + 2. */
const BAD: Record<number, { cells: string[]; reason: RegExp }> = {
  7: { cells: ["", "Nameless", "nameless@mail.example", "+1 202 555 0107"], reason: /first name/i },
  1499: { cells: ["Bad", "Address", "bad-address@", ""], reason: /email/i },
  2998: { cells: ["Bad", "Phone", "bad.phone@mail.example", "call me maybe"], reason: /phone/i },
};

/** A 3,000-row CSV (six 500-row chunks) with three bad rows; unique names per run. */
function buildCsv(tag: string): string {
  const lines = ["First name,Last name,Email,Phone"];
  for (let i = 0; i < ROWS; i++) {
    const bad = BAD[i];
    lines.push(
      bad
        ? bad.cells.join(",")
        : `Imported${i},${tag},imported${i}.${tag.toLowerCase()}@mail.example,+1 202 555 ${String(100 + (i % 100)).padStart(4, "0")}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

declare global {
  interface Window {
    progressSeen?: { now: number; max: number }[];
  }
}

/**
 * Records every change of the progress bar inside the page as it happens, so no value can
 * slip between two polls from the test. Plain source: tsx would wrap a function's inner
 * helpers in its own `__name`, which does not exist in the page.
 */
const RECORD_PROGRESS = `(() => {
  window.progressSeen = [];
  new MutationObserver(() => {
    const bar = document.querySelector('[role="progressbar"]');
    if (!bar) return;
    const now = Number(bar.getAttribute("aria-valuenow"));
    const max = Number(bar.getAttribute("aria-valuemax"));
    const seen = window.progressSeen;
    const last = seen[seen.length - 1];
    if (!last || last.now !== now || last.max !== max) seen.push({ now, max });
  }).observe(document.body, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["aria-valuenow", "aria-valuemax"],
  });
})()`;

for (const viewport of VIEWPORTS) {
  describe(`CSV import at ${viewport.width}×${viewport.height}`, () => {
    it("imports 3,000 rows in chunks with live progress and lists the bad rows by line", async () => {
      const s = await signedInSession(browser(), viewport, "import");
      const { page } = s;
      const tag = `Csv${viewport.name}${Date.now().toString(36)}`;
      try {
        await page.goto("/people/import");
        await page.getByLabel("CSV file").setInputFiles({
          name: "candidates.csv",
          mimeType: "text/csv",
          buffer: Buffer.from(buildCsv(tag)),
        });
        const importButton = page.getByRole("button", { name: "Import", exact: true });
        await importButton.waitFor();
        await s.shot("import-mapping");

        await page.evaluate(RECORD_PROGRESS);
        await importButton.click();
        await page.getByRole("heading", { name: "Summary" }).waitFor({ timeout: 120_000 });
        await s.shot("import-done");

        const seen = await page.evaluate(() => window.progressSeen ?? []);
        const final = seen[seen.length - 1];
        assert.ok(final, "the progress bar never appeared");
        assert.equal(final.max, ROWS);
        assert.equal(final.now, ROWS - Object.keys(BAD).length);
        const intermediate = new Set(
          seen.filter((v) => v.now > 0 && v.now < final.now).map((v) => v.now),
        );
        assert.ok(
          intermediate.size >= 2,
          `expected at least two intermediate progress values, saw ${JSON.stringify(seen)}`,
        );
        const values = seen.map((v) => v.now);
        assert.deepEqual(
          values,
          [...values].sort((a, b) => a - b),
          "progress never goes back",
        );

        await page.getByText(`${ROWS - 3} of ${ROWS} rows imported · 3 refused`).waitFor();
        const refused = page.locator("ul.bad-rows > li");
        assert.equal(await refused.count(), 3);
        const lines = Object.entries(BAD).map(([i, bad]) => ({ line: Number(i) + 2, ...bad }));
        for (const [n, { line, reason }] of lines.entries()) {
          const text = (await refused.nth(n).textContent()) ?? "";
          assert.match(text, new RegExp(`^Line ${line}\\b`));
          assert.match(text, reason);
        }

        // The committed rows are really there: the list finds one of them.
        await page.goto(`/people?q=${encodeURIComponent(`imported2999.${tag.toLowerCase()}`)}`);
        await page.getByRole("link", { name: `Imported2999 ${tag}` }).waitFor();
        assert.deepEqual(s.problems, []);
      } finally {
        await s.close();
      }
    });
  });
}
