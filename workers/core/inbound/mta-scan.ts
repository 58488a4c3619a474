import { applyField, cleanAddress, dsnField, newDelivery, sweep } from "./mta-common";
import type { Delivery } from "./reason";
import type { BounceReason } from "./types";

/** Phrases (as the MTA writes them) that settle a reason, in order. */
export type PhraseTable = readonly (readonly [BounceReason, readonly string[]])[];

/** The first reason whose phrase the text contains, or "". */
export function phraseReason(table: PhraseTable, text: string): BounceReason | "" {
  for (const [reason, phrases] of table) {
    if (phrases.some((p) => text.includes(p))) return reason;
  }
  return "";
}

/** The lines of a body from the first line `start` accepts (that line included), or []. */
export function linesFrom(body: string, start: (line: string) => boolean): string[] {
  const lines = body.split("\n");
  const at = lines.findIndex(start);
  return at < 0 ? [] : lines.slice(at);
}

/**
 * A list of deliveries being read, one per recipient: `add` starts the next one when
 * the current already has a recipient (sisimai's way of reading a list of failures).
 */
export class Deliveries {
  readonly list: Delivery[] = [newDelivery()];
  recipients = 0;

  get current(): Delivery {
    return this.list[this.list.length - 1];
  }

  /** Starts (or fills) the delivery of a recipient. */
  add(recipient: string): Delivery {
    if (this.current.recipient) this.list.push(newDelivery());
    this.current.recipient = cleanAddress(recipient);
    this.recipients++;
    return this.current;
  }

  /** The deliveries read, or null when no recipient was found. */
  done(): Delivery[] | null {
    if (this.recipients === 0) return null;
    for (const d of this.list) d.diagnostic = sweep(d.diagnostic);
    return this.list;
  }
}

/**
 * Reads the RFC 3464 fields found in `lines` into `ds` (per-recipient fields on the
 * current delivery, continuation lines of a diagnostic included; the Reporting-MTA fills
 * in a missing remote host); other lines go to `other`.
 */
export function readFields(
  lines: string[],
  ds: Deliveries,
  other: (line: string, previous: string) => void = () => {},
): void {
  let previous = "";
  let reportingHost = "";
  for (const line of lines) {
    const f = dsnField(line);
    if (f) {
      if (f.name === "final-recipient") ds.add(f.value);
      else if (f.name === "reporting-mta") reportingHost ||= f.value;
      else if (!f.perMessage && f.name !== "original-recipient" && f.name !== "x-actual-recipient")
        applyField(ds.current, f);
    } else if (previous.startsWith("Diagnostic-Code:") && /^[ \t]+\S/.test(line)) {
      ds.current.diagnostic += ` ${line.trim()}`;
      previous = `Diagnostic-Code: ${line}`;
      continue;
    } else {
      other(line, previous);
    }
    previous = line;
  }
  for (const d of ds.list) d.rhost ||= reportingHost;
}
