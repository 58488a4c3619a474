import {
  attachmentsHtml,
  attachmentsText,
  honeypotHtml,
  pixelHtml,
  trackHtml,
  trackText,
} from "../tracking/links";
import {
  escapeHtml,
  type MergeData,
  oneLine,
  renderHeader,
  renderHtml,
  renderTemplate,
} from "./merge";
import type { OutgoingEmail, OutgoingSms } from "./outgoing";
import type { EmailStage, SmsStage } from "./schemas";
import type { MailboxData, PersonData } from "./screening";

/** Our Message-ID, on our domain; also carried in References so replies thread to it. */
export const messageIdFor = (rowId: string, host: string) => `<${rowId}@${host}>`;

/** One key per (message, attempt): a retry of the same attempt repeats it exactly. */
export const idempotencyKeyFor = (campaignId: string, rowId: string, attempt: number) =>
  `${campaignId}:${rowId}:${attempt}`;

/** RFC 5322 specials (and "." , obsolete in a phrase): a display name with any is quoted. */
const SPECIALS = /[(),.:;<>@[\]\\"]/;
/** Printable US-ASCII and space: anything else needs an RFC 2047 encoded-word. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** An encoded-word is at most 75 characters (RFC 2047 §2): 12 of framing leave 45 bytes. */
const ENCODED_WORD_BYTES = 45;

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** `=?UTF-8?B?…?=` words, split between characters so that each word decodes on its own. */
function encodedWords(text: string): string {
  const encoder = new TextEncoder();
  const words: string[] = [];
  let chunk = "";
  for (const ch of text) {
    const next = chunk + ch;
    if (encoder.encode(next).length > ENCODED_WORD_BYTES && chunk !== "") {
      words.push(chunk);
      chunk = ch;
    } else {
      chunk = next;
    }
  }
  if (chunk !== "") words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${base64(encoder.encode(w))}?=`).join(" ");
}

/**
 * A From mailbox per RFC 5322: the display name as is when it is plain words, a
 * quoted-string when it has specials (`Doe, Jane` is one name, not two addresses), an
 * RFC 2047 encoded-word when it is not ASCII; never a CR or LF.
 */
export function formatFrom(name: string, address: string): string {
  const addr = oneLine(address).trim();
  const display = oneLine(name).replace(/\s+/g, " ").trim();
  if (display === "") return addr;
  if (!PRINTABLE_ASCII.test(display)) return `${encodedWords(display)} <${addr}>`;
  if (SPECIALS.test(display)) return `"${display.replace(/["\\]/g, "\\$&")}" <${addr}>`;
  return `${display} <${addr}>`;
}

/** The merge fields' values for one person (and the sender, for email). */
export function mergeData(
  person: PersonData,
  jobTitle: string | null,
  mailbox: MailboxData | null,
): MergeData {
  return {
    firstName: person.firstName,
    lastName: person.lastName,
    jobTitle,
    senderName: mailbox?.name ?? null,
  };
}

/** "no jobTitle on the profile; unknown merge field {{x}}": why a render failed. */
export function missingDetail(results: { ok: boolean; missing?: string[]; unknown?: string[] }[]) {
  const missing = [...new Set(results.flatMap((r) => r.missing ?? []))];
  const unknown = [...new Set(results.flatMap((r) => r.unknown ?? []))];
  const parts = [];
  if (missing.length) parts.push(`no ${missing.join(", ")} on the profile`);
  if (unknown.length)
    parts.push(`unknown merge field ${unknown.map((u) => `{{${u}}}`).join(", ")}`);
  return parts.join("; ");
}

export type Composed<T> = { ok: true; value: T } | { ok: false; missing: string };

/** The previous email of the thread, for a same-thread stage. */
export type ThreadParent = { subject: string | null; messageId: string | null };

/** Signed tracking URLs of one message (made by the caller: workers/tracking/urls.ts). */
export type TrackingUrls = {
  /** The open pixel, when the campaign tracks opens. */
  pixel: string | null;
  /** A link's tracked redirect (index: its place among the message's links), when it tracks clicks. */
  click: ((url: string, index: number) => string) | null;
  /** The hidden honeypot link, when it tracks clicks. */
  honeypot: string | null;
  /** An attachment's download link. */
  download: (attachmentId: string) => string;
};

/**
 * An email stage rendered for one person: merge fields, "Re:" subject and In-Reply-To /
 * References for a same-thread stage, our Message-ID, Reply-To, List-Unsubscribe (RFC
 * 8058) and the visible unsubscribe link. Tokens and links are made by the caller.
 */
export function composeEmail(input: {
  rowId: string;
  attempt: number;
  campaignId: string;
  teamId: string;
  stage: EmailStage;
  person: PersonData;
  jobTitle: string | null;
  to: string;
  mailbox: MailboxData;
  parent: ThreadParent | null;
  /** The host of our Message-IDs (PUBLIC_URL's). */
  host: string;
  unsubscribeUrl: string;
  showUnsubscribeLink: boolean;
  replyTo: string;
  /** Tracked links, pixel, honeypot and attachment links; none without it. */
  tracking?: TrackingUrls;
}): Composed<OutgoingEmail> {
  const data = mergeData(input.person, input.jobTitle, input.mailbox);
  const parent = input.stage.sameThread ? input.parent : null;
  const subject = parent?.subject
    ? `Re: ${parent.subject.replace(/^(re:\s*)+/i, "")}`
    : input.stage.subject;
  const rs = renderHeader(subject, data);
  const rt = renderTemplate(input.stage.body, data);
  const rh = renderHtml(input.stage.body, data);
  if (!rs.ok || !rt.ok || !rh.ok) return { ok: false, missing: missingDetail([rs, rt, rh]) };
  const ours = messageIdFor(input.rowId, input.host);
  const headers: Record<string, string> = {
    "Message-ID": ours,
    // Providers may replace Message-ID but keep References: our id stays in the thread.
    References: parent?.messageId ? `${parent.messageId} ${ours}` : ours,
    "List-Unsubscribe": `<${input.unsubscribeUrl}>`,
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
  };
  if (parent?.messageId) headers["In-Reply-To"] = parent.messageId;
  const footerText = input.showUnsubscribeLink
    ? `\n\n--\nUnsubscribe: ${input.unsubscribeUrl}`
    : "";
  const footerHtml = input.showUnsubscribeLink
    ? `<p style="font-size:12px;color:#667"><a href="${escapeHtml(input.unsubscribeUrl)}">Unsubscribe</a></p>`
    : "";
  const t = input.tracking;
  const linkIndex = new Map<string, number>();
  const tracked = (url: string) => {
    if (!linkIndex.has(url)) linkIndex.set(url, linkIndex.size);
    return t?.click?.(url, linkIndex.get(url) ?? 0) ?? url;
  };
  const files = t
    ? (input.stage.attachments ?? []).map((a) => ({ ...a, url: t.download(a.id) }))
    : [];
  const bodyText = t?.click ? trackText(rt.text, tracked) : rt.text;
  const bodyHtml = t?.click ? trackHtml(rh.text, tracked) : rh.text;
  return {
    ok: true,
    value: {
      id: input.rowId,
      idempotencyKey: idempotencyKeyFor(input.campaignId, input.rowId, input.attempt),
      teamId: input.teamId,
      from: formatFrom(input.mailbox.name, input.mailbox.address),
      to: input.to,
      subject: rs.text,
      text: `${bodyText}${attachmentsText(files)}${footerText}`,
      html: `<div>${bodyHtml.replace(/\n/g, "<br>")}</div>${attachmentsHtml(files)}${footerHtml}${t?.honeypot ? honeypotHtml(t.honeypot) : ""}${t?.pixel ? pixelHtml(t.pixel) : ""}`,
      replyTo: input.replyTo,
      headers,
    },
  };
}

/** An SMS stage rendered for one person. */
export function composeSms(input: {
  rowId: string;
  attempt: number;
  campaignId: string;
  teamId: string;
  stage: SmsStage;
  person: PersonData;
  jobTitle: string | null;
  phone: string;
}): Composed<OutgoingSms> {
  const body = renderTemplate(input.stage.body, mergeData(input.person, input.jobTitle, null));
  if (!body.ok) return { ok: false, missing: missingDetail([body]) };
  return {
    ok: true,
    value: {
      id: input.rowId,
      idempotencyKey: idempotencyKeyFor(input.campaignId, input.rowId, input.attempt),
      teamId: input.teamId,
      to: input.phone,
      text: body.text,
    },
  };
}
