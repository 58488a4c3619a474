import { header } from "./message";
import { fillet, type MtaReader } from "./mta-common";
import { Deliveries, linesFrom, type PhraseTable, phraseReason, readFields } from "./mta-scan";
import type { BounceReason } from "./types";

// Readers of AOL's and Facebook's bounces, after sisimai's Sisimai::Lhost::Aol and
// ::Facebook (libsisimai-perl 4.25.15, BSD 2-clause).

const AOL_PHRASES: PhraseTable = [
  ["hostunknown", ["Host or domain name not found"]],
  ["notaccept", ["type=MX: Malformed or unexpected name server reply"]],
];

/** AOL. */
export const aol: MtaReader = (m) => {
  if (!header(m.mail, "x-aol-ip")) return null;
  const report = fillet(m.body, /^Content-Type: message\/rfc822/m)[0];
  const lines = linesFrom(report, (l) => l.startsWith("Content-Type: message/delivery-status"));
  const ds = new Deliveries();
  readFields(lines.slice(1), ds);
  const list = ds.done();
  for (const d of list ?? []) d.reason = phraseReason(AOL_PHRASES, d.diagnostic);
  return list;
};

const FACEBOOK_CODES: [BounceReason | "undefined", string[]][] = [
  ["userunknown", ["RCP-P1", "INT-P1", "INT-P3", "INT-P4"]],
  ["filtered", ["RCP-P2", "RCP-P3"]],
  ["blocked", ["POL-P1", "POL-P2"]],
  ["mesgtoobig", ["MSG-P1", "INT-P2"]],
  ["contenterror", ["MSG-P2", "MSG-P3", "POL-P6", "POL-P7"]],
  ["notaccept", ["POL-P3", "POL-P4", "POL-T1", "POL-T2", "POL-T3"]],
  ["rejected", ["DNS-P1", "DNS-P2", "DNS-T1", "DNS-P3", "DNS-T2"]],
  ["systemerror", ["CON-T1", "RCP-T1"]],
  ["toomanyconn", ["CON-T2", "CON-T3"]],
  ["virusdetected", ["POL-P5"]],
  ["suspend", ["RCP-T4"]],
  ["undefined", ["MSG-T1", "CON-T4"]],
];

/** Facebook: "Sorry, your message could not be delivered", with its response codes. */
export const facebook: MtaReader = (m) => {
  if (m.from !== "Facebook <mailer-daemon@mx.facebook.com>") return null;
  if (m.subject !== "Sorry, your message could not be delivered") return null;
  const lines = linesFrom(m.body, (l) =>
    l.startsWith("This message was created automatically by Facebook."),
  );
  const ds = new Deliveries();
  readFields(lines.slice(1), ds);
  const list = ds.done();
  for (const d of list ?? []) {
    const code = /\b([A-Z]{3})-([A-Z])(\d)\b/.exec(d.diagnostic);
    const response = code ? `${code[1]}-${code[2]}${code[3]}` : "";
    d.reason = FACEBOOK_CODES.find(([, codes]) => codes.includes(response))?.[0] ?? "";
    if (!d.reason && /^INT-T\d+$/.test(response)) d.reason = "systemerror";
  }
  return list;
};
