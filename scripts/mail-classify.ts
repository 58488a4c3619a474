/**
 * Classifies raw messages with the inbound classifier (workers/core/inbound/classify.ts):
 *
 *   npm run mail:classify -- <file-or-dir>…
 *
 * A directory stands for every file in it, sorted by name (not recursive). One line per
 * file, never skipping one, tab-separated:
 *
 *   file  kind  class  status  reason
 *
 * - kind: reply | auto_reply | bounce | complaint | other
 * - class: hard | soft for a bounce, else "-"
 * - status: the SMTP enhanced status code of a bounce (e.g. 5.1.1), else "-"
 * - reason: for a bounce, sisimai's reason word (userunknown, hostunknown, mailboxfull,
 *   blocked…) except that a refusal as spam reads `refused_as_spam`; otherwise
 *   `complaint`, `out_of_office` (an automatic reply that says so), `auto_reply`, `reply`
 *   or `other`; for a file that could not be read or parsed (kind `other`),
 *   `unreadable: <why>` or `unparsable: <why>`.
 *
 * Exits 0 when every file was classified (whatever the verdicts), 2 on bad usage.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { classifyMail } from "@workers/core/inbound/classify";
import type { Verdict } from "@workers/core/inbound/types";

/** The files named on the command line, directories expanded (sorted, one level). */
function expand(args: string[]): string[] {
  const files: string[] = [];
  for (const arg of args) {
    let isDir = false;
    try {
      isDir = statSync(arg).isDirectory();
    } catch {
      // Not there: listed as is, so that its line reports it.
    }
    if (!isDir) {
      files.push(arg);
      continue;
    }
    const names = readdirSync(arg).sort();
    for (const name of names) files.push(join(arg, name));
  }
  return files;
}

/** The reason column of a verdict. */
function reasonColumn(v: Verdict): string {
  if (v.problem) return v.problem;
  switch (v.kind) {
    case "bounce":
      return v.bounce?.reason === "spamdetected"
        ? "refused_as_spam"
        : (v.bounce?.reason ?? "undefined");
    case "auto_reply":
      return v.outOfOffice ? "out_of_office" : "auto_reply";
    default:
      return v.kind;
  }
}

const clean = (s: string) => s.replace(/[\t\n\r]+/g, " ");

/** One output line for a file. */
async function classifyFile(file: string): Promise<string> {
  let raw: Uint8Array;
  try {
    if (statSync(file).isDirectory())
      throw new Error("a directory (directories are read one level deep)");
    raw = readFileSync(file);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return [file, "other", "-", "-", clean(`unreadable: ${why}`)].join("\t");
  }
  const v = await classifyMail(raw);
  return [
    file,
    v.kind,
    v.bounce?.class ?? "-",
    v.bounce?.status ?? "-",
    clean(reasonColumn(v)),
  ].join("\t");
}

async function main(): Promise<number> {
  const { positionals: args } = parseArgs({ allowPositionals: true, strict: true });
  if (args.length === 0) {
    console.error("usage: npm run mail:classify -- <file-or-dir>…");
    return 2;
  }
  for (const file of expand(args)) process.stdout.write(`${await classifyFile(file)}\n`);
  return 0;
}

main().then((code) => {
  process.exitCode = code;
});
