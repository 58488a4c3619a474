// The bench's printed table: column layout and the (d)/(e) rows' wording.
import { fmt, RESEND } from "./harness";
import { type ResendResult, resendRate, tooMany } from "./resend";

/** The rows as aligned columns: figure, value (right-aligned), detail. */
export function table(rows: [string, string, string][]) {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map((r) => `  ${r[0].padEnd(w0)}  ${r[1].padStart(w1)}  ${r[2]}`).join("\n");
}

/**
 * A (d) or (e) row. `emails`: emails/s against the 500 emails/s ceiling (batches of 100);
 * `requests`: accepted requests/s against the key's rate (batches of 50 cannot fill the ceiling).
 */
export function resendRow(
  label: string,
  r: ResendResult,
  measure: "emails" | "requests",
  target: string | null,
): [string, string, string] {
  const aim = target ? `${target}; ` : "";
  const { perS, share, requestsPerS, requestShare } = resendRate(r);
  const ceiling = RESEND.ratePerSecond * RESEND.batch;
  const t = tooMany(r.stats);
  const s = (ms: number) => `${fmt(ms / 1000, 2)} s`;
  const faults =
    r.stats.failuresInjected > 0
      ? `; ${r.stats.failuresInjected} faults injected (${t.injected} of them 429s), ${r.stats.idempotentReplays} idempotent replays`
      : "";
  const gaveUp =
    r.gaveUpAfterMs === null
      ? ""
      : `GAVE UP after ${s(r.gaveUpAfterMs)} with ${fmt(r.stats.accepted)} of ${fmt(r.n)} accepted; `;
  const requests = `${r.stats.sendRequests} send requests in ${r.batches} batches (largest ${r.largestBatch}); 429s: ${t.total} (${t.limiter} from the rate limiter)${faults}`;
  const clocks = `on the DO clock (${s(r.wallMs)} polled), ${r.campaigns} campaign(s)/mailboxes`;
  if (measure === "requests") {
    return [
      label,
      `${fmt(requestShare * 100, 1)} %`,
      `${aim}${gaveUp}${fmt(requestsPerS, 2)} of ${RESEND.ratePerSecond} requests/s: ${r.batches} batches accepted in ${s(r.elapsedMs)} (first at ${s(r.firstMs)}, 99% of emails in ${s(r.p99Ms)}) ${clocks}; ${fmt(r.stats.accepted)} emails, ${fmt(perS)}/s; ${requests}`,
    ];
  }
  return [
    label,
    `${fmt(share * 100, 1)} %`,
    `${aim}${gaveUp}${fmt(perS)} of ${fmt(ceiling)} emails/s: ${fmt(r.stats.accepted)} in ${s(r.elapsedMs)} (99% in ${s(r.p99Ms)}) ${clocks}; ${requests}`,
  ];
}
