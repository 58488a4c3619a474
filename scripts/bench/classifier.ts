import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { classifyMail } from "@workers/core/inbound/classify";

import { BenchError, check, fmt, ROOT } from "./harness";

// ── (g) the inbound classifier, in Node (no Worker needed)

/** sisimai 4.25.15 (libsisimai-perl) on the same corpus on this 2-core machine. */
export const SISIMAI_PER_S = 860;
export const MAIL_CORPUS = join(ROOT, "..", "shared", "corpus", "bounces");

/** Messages/s of classifyMail over the corpus: one warm-up pass, then the median of 3. */
export async function benchClassifier(): Promise<[string, string, string]> {
  if (!existsSync(MAIL_CORPUS)) throw new BenchError(`(g) no mail corpus at ${MAIL_CORPUS}`);
  const files = readdirSync(MAIL_CORPUS)
    .filter((f) => f.endsWith(".eml"))
    .sort()
    .map((f) => readFileSync(join(MAIL_CORPUS, f)));
  let classified = 0;
  const pass = async () => {
    const start = performance.now();
    for (const raw of files) if ((await classifyMail(raw)).kind) classified++;
    return performance.now() - start;
  };
  await pass();
  const passes = [await pass(), await pass(), await pass()].sort((x, y) => x - y);
  check("(g) every corpus message classified", classified, files.length * 4);
  const perS = (files.length / passes[1]) * 1000;
  console.log(`(g) classified ${fmt(files.length)} messages at ${fmt(perS)} msgs/s`);
  return [
    "(g) mail:classify on the corpus",
    `${fmt(perS)} msgs/s`,
    `(×${fmt(perS / SISIMAI_PER_S, 2)} of sisimai's ≈${SISIMAI_PER_S}/s); ${fmt(files.length)} messages, median of 3 passes after a warm-up, in-process in Node`,
  ];
}
