import type { MtaInput } from "./mta-common";
import type { BounceReason } from "./types";

// Local delivery agents' own refusals inside an MTA's report, after sisimai's Sisimai::MDA
// (libsisimai-perl 4.25.15, BSD 2-clause).

const AGENTS: [string, RegExp][] = [
  ["dovecot", /^Your message to [^ ]+ was automatically rejected:$/],
  ["mail.local", /^mail\.local: /],
  ["procmail", /^procmail: /],
  ["maildrop", /^maildrop: /],
  ["vpopmail", /^vdelivermail: /],
  ["vmailmgr", /^vdeliver: /],
];
const START =
  /^(?:Your message to [^ ]+ was automatically rejected:$|(?:mail\.local|procmail|maildrop|vdelivermail|vdeliver): )/;
const MESSAGES: Record<string, [BounceReason, string[]][]> = {
  dovecot: [
    ["userunknown", ["mailbox doesn't exist: "]],
    [
      "mailboxfull",
      ["quota exceeded", "quota exceeded (mailbox for user is full)", "not enough disk space"],
    ],
  ],
  "mail.local": [
    [
      "userunknown",
      [
        ": unknown user:",
        ": user unknown",
        ": invalid mailbox path",
        ": user missing home directory",
      ],
    ],
    ["mailboxfull", ["disc quota exceeded", "mailbox full or quota exceeded"]],
    ["systemerror", ["temporary file write error"]],
  ],
  procmail: [
    ["mailboxfull", ["quota exceeded while writing"]],
    ["systemfull", ["no space left to finish writing"]],
  ],
  maildrop: [
    ["userunknown", ["invalid user specified.", "cannot find system user"]],
    ["mailboxfull", ["maildir over quota."]],
  ],
  vpopmail: [
    ["userunknown", ["sorry, no mailbox here by that name."]],
    ["filtered", ["account is locked email bounced", "user does not exist, but will deliver to "]],
    ["mailboxfull", ["domain is over quota", "user is over quota"]],
  ],
  vmailmgr: [
    [
      "userunknown",
      [
        "invalid or unknown base user or domain",
        "invalid or unknown virtual user",
        "user name does not refer to a virtual user",
      ],
    ],
    ["mailboxfull", ["delivery failed due to system quota violation"]],
  ],
};

/** What a local delivery agent said, when the report quotes one: its reason and its words. */
export type MdaRefusal = { agent: string; reason: BounceReason | ""; message: string };

/** The local delivery agent's refusal a mailer-daemon's report quotes, or null. */
export function mdaRefusal(m: MtaInput): MdaRefusal | null {
  if (!/^(?:mail delivery subsystem|mailer-daemon|postmaster)/.test(m.from.toLowerCase()))
    return null;
  let agent = "";
  const lines: string[] = [];
  for (const line of m.body.split("\n")) {
    if (!agent) {
      if (!line || !START.test(line)) continue;
      agent = AGENTS.find(([, re]) => re.test(line))?.[0] ?? "";
    }
    lines.push(line);
    if (!line) break;
  }
  if (!agent) return null;
  for (const [reason, phrases] of MESSAGES[agent] ?? []) {
    const line = lines.find((l) => phrases.some((p) => l.toLowerCase().includes(p)));
    if (line) return { agent, reason, message: line };
  }
  return { agent, reason: "", message: "" };
}
