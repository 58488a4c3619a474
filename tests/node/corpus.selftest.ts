// The inbound classifier against the shared corpus (629 real bounces, complaints and
// auto-replies) and sisimai 4.25.15's reading of each, in Node (it reads files, so not in
// workerd): npm run test:node
//
// Each message is classified as stored (LF), with CRLF and with bare-CR line endings.
// Reference rows map as the corpus README says: feedback → complaint, vacation →
// auto_reply, any other reason → bounce with softbounce 0 hard / 1 soft; NONE (sisimai
// found no bounce) has no expectation beyond "not a person's reply".

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { before, describe, test } from "node:test";
import { classifyMail } from "../../workers/core/inbound/classify";
import type { Verdict } from "../../workers/core/inbound/types";

const CORPUS = new URL("../../../shared/corpus/", import.meta.url);
const MESSAGES = new URL("bounces/", CORPUS);
const REFERENCE = new URL("bounces.sisimai-4.25.15.tsv", CORPUS);
const FORMS = ["lf", "crlf", "cr"] as const;
type Form = (typeof FORMS)[number];

type Expected = {
  kind: "bounce" | "complaint" | "auto_reply";
  class: "hard" | "soft" | "-";
} | null;
type Row = { file: string; reason: string; expected: Expected };

function expectation(reason: string, softbounce: string): Expected {
  if (reason === "NONE") return null;
  if (reason === "feedback") return { kind: "complaint", class: "-" };
  if (reason === "vacation") return { kind: "auto_reply", class: "-" };
  return { kind: "bounce", class: softbounce === "0" ? "hard" : "soft" };
}

function readReference(): Row[] {
  return readFileSync(REFERENCE, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [file, reason, , softbounce] = line.split("\t");
      return { file, reason, expected: expectation(reason, softbounce ?? "") };
    });
}

/** The stored bytes in one of the three line-ending forms (the text normalized first). */
function inForm(stored: Buffer, form: Form): Buffer {
  if (form === "lf") return stored;
  const lf = stored.toString("latin1").replace(/\r\n?/g, "\n");
  return Buffer.from(lf.replace(/\n/g, form === "crlf" ? "\r\n" : "\r"), "latin1");
}

const got = (v: Verdict) => `${v.kind}/${v.bounce?.class ?? "-"}`;

const rows = readReference();
const verdicts = new Map<string, Record<Form, Verdict>>();

before(async () => {
  for (const row of rows) {
    const stored = readFileSync(new URL(row.file, MESSAGES));
    const byForm = {} as Record<Form, Verdict>;
    for (const form of FORMS) byForm[form] = await classifyMail(inForm(stored, form));
    verdicts.set(row.file, byForm);
  }
});

describe("the classifier on the corpus", () => {
  test("the reference lists every message of the corpus", () => {
    const files = readdirSync(MESSAGES)
      .filter((f) => f.endsWith(".eml"))
      .sort();
    assert.deepEqual(
      rows.map((r) => r.file),
      files,
    );
    assert.equal(files.length, 629);
  });

  for (const form of FORMS) {
    test(`agrees with sisimai on kind and hard/soft for at least 97% (${form})`, (t) => {
      const judged = rows.filter((r) => r.expected);
      const misses = judged.filter((r) => {
        const v = verdicts.get(r.file)![form];
        return `${r.expected!.kind}/${r.expected!.class}` !== got(v);
      });
      const share = (judged.length - misses.length) / judged.length;
      t.diagnostic(
        `${form}: ${judged.length - misses.length}/${judged.length} = ${(share * 100).toFixed(2)}%`,
      );
      for (const r of misses) {
        const v = verdicts.get(r.file)![form];
        t.diagnostic(`  ${r.file}: sisimai ${r.reason} (${r.expected!.class}), ours ${got(v)}`);
      }
      assert.ok(share >= 0.97, `agreement ${(share * 100).toFixed(2)}% is under 97%`);
    });

    test(`calls none of them a person's reply (${form})`, () => {
      const replies = rows.filter((r) => verdicts.get(r.file)![form].kind === "reply");
      assert.deepEqual(
        replies.map((r) => r.file),
        [],
      );
    });
  }

  test("gives the same kind and hard/soft in the three line-ending forms", () => {
    const differ = rows.filter((r) => {
      const v = verdicts.get(r.file)!;
      return got(v.lf) !== got(v.crlf) || got(v.lf) !== got(v.cr);
    });
    assert.deepEqual(
      differ.map((r) => r.file),
      [],
    );
  });

  test("reads every ARF report as a complaint and every bounce with a reason", () => {
    for (const r of rows) {
      const v = verdicts.get(r.file)!.lf;
      if (r.reason === "feedback") assert.equal(v.kind, "complaint", r.file);
      if (v.kind === "bounce") assert.ok(v.bounce?.reason, r.file);
    }
  });
});
