// The deliverability check of an email stage (issue #10 part 7): findings to show beside
// the editor and before activation, never a reason to refuse. Pure, so the editor runs it
// on every keystroke in the browser and the server runs the same rules before activating.
import { mergeFieldsIn, unknownMergeFields } from "../engine/merge";

export type Severity = "info" | "warning";
export type FindingField = "subject" | "body" | "mailbox";
export type Finding = { code: string; severity: Severity; message: string; field: FindingField };

/** One DNS record of the sending domain as the provider (Resend) reports it. */
export type DomainRecord = { record: string; status?: string };

/** What is known of the stage's mailbox and its domain. */
export type MailboxFacts = {
  address?: string;
  canSend: boolean;
  /**
   * The sending domain's authentication: "sink" when mail never leaves (local transport),
   * null when the domain is not registered, undefined when not known (nothing is said).
   */
  domain?: { name: string; status: string; records: DomainRecord[] } | "sink" | null;
};

export type StageDraft = { subject: string; body: string };
/** One email stage's findings, as the campaign page lists them before activation. */
export type StageFindings = {
  stageIndex: number;
  stageId: string;
  label: string;
  findings: Finding[];
};
export type CheckContext = {
  /** The campaign adds a visible unsubscribe link to every email. */
  unsubscribeLink: boolean;
  /** null: no mailbox chosen yet; undefined: not known here. */
  mailbox?: MailboxFacts | null;
};

/**
 * Words and phrases that content filters weigh as spam. Matched as whole words, ignoring
 * case; a recruiting email rarely needs any of them.
 */
export const SPAM_PHRASES = [
  "100% free",
  "act now",
  "as seen on",
  "buy now",
  "cash bonus",
  "click here",
  "congratulations",
  "dear friend",
  "double your",
  "earn money",
  "extra cash",
  "free gift",
  "free money",
  "guaranteed",
  "limited time",
  "make money",
  "miracle",
  "no catch",
  "no cost",
  "no obligation",
  "once in a lifetime",
  "order now",
  "risk-free",
  "special promotion",
  "this is not spam",
  "urgent",
  "winner",
  "you have been selected",
] as const;

const PLACEHOLDER = /\{\{[^{}]*\}\}/g;
const REPEATED_PUNCTUATION = /[!?]{2,}|\${2,}/g;
const ANCHOR = /<a\b[^>]*?\bhref\s*=\s*(["'])(.*?)\1[^>]*>([\s\S]*?)<\/a\s*>/gi;
const BARE_URL = /\bhttps?:\/\/[^\s<>"')]+/gi;
const LOOKS_LIKE_HOST = /^(?:https?:\/\/)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?:[/:?#]\S*)?$/i;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const PHRASE_PATTERNS = SPAM_PHRASES.map((p) => ({
  phrase: p,
  // Word edges where the phrase starts/ends with a letter; "100% free" starts with a digit.
  re: new RegExp(`(?<![\\w])${escapeRegExp(p)}(?![\\w])`, "i"),
}));

/** Text a reader sees: tags dropped, entities for spaces and ampersands decoded. */
export function visibleText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/gi, " ")
    .replace(/&amp;/gi, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** The host a link or a link-like text names, lower-case and without "www.". */
export function hostOf(text: string): string | null {
  const m = LOOKS_LIKE_HOST.exec(text.trim());
  return m ? m[1].toLowerCase().replace(/^www\./, "") : null;
}

/** One host is the other or a subdomain of it (mail.acme.com and acme.com are one site). */
function sameSite(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

function subjectFindings(subject: string): Finding[] {
  const out: Finding[] = [];
  const letters = subject.replace(PLACEHOLDER, "").replace(/[^\p{L}]/gu, "");
  const upper = letters.replace(/[^\p{Lu}]/gu, "").length;
  if (letters.length >= 6 && upper / letters.length > 0.7) {
    out.push({
      code: "subject_capitals",
      severity: "warning",
      field: "subject",
      message:
        "The subject is mostly capital letters, which reads as shouting and is a common spam signal. Write it in sentence case.",
    });
  }
  return out;
}

function punctuationFindings(text: string, field: "subject" | "body"): Finding[] {
  const runs = [...new Set(text.replace(PLACEHOLDER, "").match(REPEATED_PUNCTUATION) ?? [])];
  if (runs.length === 0) return [];
  return [
    {
      code: "excessive_punctuation",
      severity: "warning",
      field,
      message: `The ${field} has repeated punctuation (${runs.map((r) => `“${r}”`).join(", ")}), which spam filters score against. One mark is enough.`,
    },
  ];
}

function phraseFindings(text: string, field: "subject" | "body"): Finding[] {
  const found = PHRASE_PATTERNS.filter((p) => p.re.test(text)).map((p) => p.phrase);
  if (found.length === 0) return [];
  return [
    {
      code: "spam_phrase",
      severity: "warning",
      field,
      message: `The ${field} uses ${found.length === 1 ? "a phrase" : "phrases"} that spam filters weigh against a message: ${found.map((f) => `“${f}”`).join(", ")}. Say it in plainer words.`,
    },
  ];
}

function linkFindings(body: string): Finding[] {
  const mismatched: string[] = [];
  for (const m of body.matchAll(ANCHOR)) {
    const target = hostOf(m[2]);
    const shown = hostOf(visibleText(m[3]));
    if (target && shown && !sameSite(target, shown)) mismatched.push(`${shown} → ${target}`);
  }
  if (mismatched.length === 0) return [];
  return [
    {
      code: "link_domain_mismatch",
      severity: "warning",
      field: "body",
      message: `A link shows one address but goes to another (${mismatched.join(", ")}): filters treat this as phishing. Show the real address, or plain words such as “the job description”.`,
    },
  ];
}

function hasUnsubscribeLink(body: string): boolean {
  for (const m of body.matchAll(ANCHOR)) {
    if (/unsubscribe|opt[- ]?out/i.test(`${m[2]} ${visibleText(m[3])}`)) return true;
  }
  return [...body.matchAll(BARE_URL)].some((m) => /unsubscribe|opt-?out/i.test(m[0]));
}

function imageOnly(body: string): boolean {
  if (!/<img\b/i.test(body)) return false;
  // Merge fields count as words: they become a name or a job title.
  return visibleText(body).replace(/\s/g, "").length < 20;
}

function mailboxFindings(mailbox: MailboxFacts | null | undefined): Finding[] {
  if (!mailbox) return [];
  const out: Finding[] = [];
  const say = (code: string, severity: Severity, message: string) =>
    out.push({ code, severity, field: "mailbox", message });
  if (!mailbox.canSend) {
    say(
      "mailbox_cannot_send",
      "warning",
      "This mailbox cannot send yet: prospects reaching this stage turn Failed (mailbox cannot send). See Mailboxes for what is missing.",
    );
  }
  const d = mailbox.domain;
  if (d === undefined || d === "sink") return out;
  if (d === null) {
    say(
      "domain_not_verified",
      "warning",
      `The mailbox's domain${mailbox.address ? ` (${mailbox.address.split("@")[1]})` : ""} is not a verified sending domain, so SPF and DKIM cannot pass. Gmail and Yahoo require both for bulk senders; add the domain under Settings → Sending domains.`,
    );
    return out;
  }
  const unverified = (kind: string) => {
    const rows = d.records.filter((r) => r.record.toUpperCase() === kind);
    return rows.length === 0 || rows.some((r) => r.status !== "verified");
  };
  const missing = ["SPF", "DKIM"].filter((k) => d.status !== "verified" || unverified(k));
  if (missing.length > 0) {
    say(
      "domain_auth_unverified",
      "warning",
      `${missing.join(" and ")} for ${d.name} ${missing.length > 1 ? "are" : "is"} not verified by the email provider. Gmail and Yahoo require SPF and DKIM for bulk senders; publish the records under Settings → Sending domains.`,
    );
  }
  const dmarc = d.records.filter((r) => r.record.toUpperCase() === "DMARC");
  if (dmarc.length === 0 || dmarc.some((r) => r.status !== "verified")) {
    say(
      "dmarc_unverified",
      "info",
      `No verified DMARC record is known for ${d.name}. Gmail and Yahoo require one (p=none is enough) from senders of over 5,000 messages a day: publish a TXT record at _dmarc.${d.name}.`,
    );
  }
  return out;
}

/** The findings for one email stage; empty when nothing stands out. Never blocks anything. */
export function checkEmailStage(stage: StageDraft, ctx: CheckContext): Finding[] {
  const subject = stage.subject ?? "";
  const body = stage.body ?? "";
  const findings: Finding[] = [
    ...subjectFindings(subject),
    ...punctuationFindings(subject, "subject"),
    ...phraseFindings(subject, "subject"),
    ...punctuationFindings(visibleText(body), "body"),
    ...phraseFindings(visibleText(body), "body"),
    ...linkFindings(body),
  ];
  if (imageOnly(body)) {
    findings.push({
      code: "image_only",
      severity: "warning",
      field: "body",
      message:
        "The body is mostly an image with little text: filters cannot read images, and many readers block them. Write the message in text.",
    });
  }
  if (!ctx.unsubscribeLink && body.trim() !== "" && !hasUnsubscribeLink(body)) {
    findings.push({
      code: "no_unsubscribe_link",
      severity: "warning",
      field: "body",
      message:
        "There is no visible unsubscribe link: the campaign's link is off and the body has none. Gmail and Yahoo expect an easy way out (Beacon still sends the one-click List-Unsubscribe header); without one, people press “Report spam” instead.",
    });
  }
  const known = (t: string) => mergeFieldsIn(t).length > unknownMergeFields(t).length;
  if ((subject.trim() !== "" || body.trim() !== "") && !known(subject) && !known(body)) {
    findings.push({
      code: "no_merge_field",
      severity: "info",
      field: "body",
      message:
        "No merge field such as {{firstName}}: identical messages to many people look like bulk mail. A personal greeting helps delivery and replies.",
    });
  }
  return [...findings, ...mailboxFindings(ctx.mailbox)];
}
