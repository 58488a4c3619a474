import { imageProxy, scannerNetwork } from "./networks";

/** Why an event was taken for a machine (stored with the event, shown on "all"). */
export type MachineReason =
  | "head"
  | "too_soon"
  | "scanner_network"
  | "burst"
  | "honeypot"
  | "near_honeypot";

export type TrackedKind = "open" | "click" | "download" | "honeypot";

/** One tracking request, as the rules read it. */
export type TrackingRequest = {
  kind: TrackedKind;
  method: string;
  at: number;
  /** When our message was sent (null: unknown). */
  sentAt: number | null;
  userAgent: string | null;
  asn: number | null;
  asOrg: string | null;
  /** For a click: the URL (or link index) clicked. */
  link: string | null;
};

/** Earlier events of the same message, as stored (for the burst and honeypot rules). */
export type PriorEvent = { kind: TrackedKind; link: string | null; at: number };

export type Classification = {
  machine: boolean;
  reason: MachineReason | null;
  /** An image proxy's open: counted, labelled "proxy". */
  proxy: string | null;
};

/** Rules' parameters (TRACK_MACHINE_SECONDS is a setting; the rest are fixed). */
export type MachineRules = { machineSeconds: number };

export const BURST_WINDOW_MS = 2_000;
export const BURST_LINKS = 3;
export const HONEYPOT_WINDOW_MS = 10_000;

/**
 * 3+ distinct links of one message clicked within 2 s (this click included): a scanner
 * walking the message, not a person.
 */
export function isBurst(link: string | null, at: number, prior: PriorEvent[]): boolean {
  const links = new Set<string>();
  if (link !== null) links.add(link);
  for (const e of prior) {
    if (e.kind === "click" && e.link !== null && Math.abs(at - e.at) <= BURST_WINDOW_MS) {
      links.add(e.link);
    }
  }
  return links.size >= BURST_LINKS;
}

/** A honeypot hit within ±10 s of `at` (the hidden link no person can see or click). */
export function nearHoneypot(at: number, prior: PriorEvent[]): boolean {
  return prior.some((e) => e.kind === "honeypot" && Math.abs(at - e.at) <= HONEYPOT_WINDOW_MS);
}

/**
 * Whether a tracking request is a machine (DESIGN.md §1 "Metrics"), first rule that
 * holds: the honeypot itself; a HEAD; within TRACK_MACHINE_SECONDS of the send; from a
 * security scanner's network; a click in a burst over several links; a click within ±10 s
 * of a honeypot hit. An image proxy's open is not a machine: it is counted and labelled.
 */
export function classify(
  r: TrackingRequest,
  prior: PriorEvent[],
  rules: MachineRules,
): Classification {
  const proxy = r.kind === "open" ? imageProxy(r.userAgent, r.asn, r.asOrg) : null;
  const machine = (reason: MachineReason): Classification => ({ machine: true, reason, proxy });
  if (r.kind === "honeypot") return machine("honeypot");
  if (r.method.toUpperCase() === "HEAD") return machine("head");
  if (r.sentAt !== null && r.at - r.sentAt < rules.machineSeconds * 1000) {
    return machine("too_soon");
  }
  if (scannerNetwork(r.asn, r.asOrg) !== null) return machine("scanner_network");
  if (r.kind === "click" && isBurst(r.link, r.at, prior)) return machine("burst");
  if (r.kind === "click" && nearHoneypot(r.at, prior)) return machine("near_honeypot");
  return { machine: false, reason: null, proxy };
}
