import PostalMime, { addressParser } from "postal-mime";

/** A part of the message that is not its body text: a report, the returned message… */
export type Part = { mimeType: string; text: string };

/** An inbound message as the classifier reads it. */
export type Mail = {
  /** Lower-cased header name → its values, in order. */
  headers: Map<string, string[]>;
  /** Content-Type of the top of the message, lower-case, without parameters. */
  contentType: string;
  /** The report-type parameter of a multipart/report, lower-case, or "". */
  reportType: string;
  subject: string;
  /** The From address, lower-case, or "". */
  from: string;
  /** The From display name, or "". */
  fromName: string;
  to: string[];
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  date: string | null;
  /** The body text (plain parts, else the HTML as text), LF line endings. */
  text: string;
  parts: Part[];
};

const CR = 13;
const LF = 10;

/** CRLF and bare CR become LF, so that every form of the same message reads the same. */
export function toLf(raw: Uint8Array): Uint8Array {
  const first = raw.indexOf(CR);
  if (first < 0) return raw;
  const out = new Uint8Array(raw.length);
  out.set(raw.subarray(0, first));
  let o = first;
  for (let i = first; i < raw.length; i++) {
    const c = raw[i];
    if (c === CR) {
      out[o++] = LF;
      if (raw[i + 1] === LF) i++;
    } else {
      out[o++] = c;
    }
  }
  return out.subarray(0, o);
}

const TAB = 9;
const SEMICOLON = 59;
const CONTENT_TYPE = "content-type:";

/** Whether the bytes at `at` spell "content-type:" in any case. */
function isContentType(raw: Uint8Array, at: number): boolean {
  for (let i = 0; i < CONTENT_TYPE.length; i++) {
    if ((raw[at + i] | 0x20) !== CONTENT_TYPE.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether the bytes at `at` start a "name=" parameter (letters and dashes, then "="). */
function isParameter(raw: Uint8Array, at: number): boolean {
  let i = at;
  while (i < raw.length && (((raw[i] | 0x20) >= 97 && (raw[i] | 0x20) <= 122) || raw[i] === 45))
    i++;
  return i > at && raw[i] === 61;
}

/**
 * Some MTAs fold a Content-Type parameter onto a line of its own without the leading
 * white space ("Content-Type: multipart/alternative;\nboundary=…"); a parser then loses
 * the boundary and the whole body. Such lines get the tab they lack. LF endings expected.
 */
export function repairFolding(raw: Uint8Array): Uint8Array {
  const inserts: number[] = [];
  let lineStart = 0;
  for (let nl = raw.indexOf(LF); nl >= 0; nl = raw.indexOf(LF, nl + 1)) {
    let end = nl;
    while (end > lineStart && (raw[end - 1] === 32 || raw[end - 1] === TAB)) end--;
    if (end > lineStart && raw[end - 1] === SEMICOLON) {
      if (isContentType(raw, lineStart) && isParameter(raw, nl + 1)) inserts.push(nl + 1);
    }
    lineStart = nl + 1;
  }
  if (inserts.length === 0) return raw;
  const out = new Uint8Array(raw.length + inserts.length);
  let from = 0;
  let o = 0;
  for (const at of inserts) {
    out.set(raw.subarray(from, at), o);
    o += at - from;
    out[o++] = TAB;
    from = at;
  }
  out.set(raw.subarray(from), o);
  return out;
}

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8");

function bytesOf(raw: Uint8Array | ArrayBuffer | string): Uint8Array {
  if (typeof raw === "string") return encoder.encode(raw);
  return raw instanceof Uint8Array ? raw : new Uint8Array(raw);
}

/** Message ids without their angle brackets, in order ("<a@b> <c@d>" → ["a@b", "c@d"]). */
export function messageIds(value: string | undefined): string[] {
  if (!value) return [];
  const bracketed = value.match(/<[^<>\s]+>/g);
  if (bracketed) return bracketed.map((id) => id.slice(1, -1));
  return value.split(/\s+/).filter((id) => id.includes("@"));
}

function addresses(value: string | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const a of addressParser(value, { flatten: true })) {
    if (a.address) out.push(a.address.toLowerCase());
  }
  return out;
}

function partText(content: ArrayBuffer | Uint8Array | string): string {
  const text = typeof content === "string" ? content : utf8.decode(content);
  return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}

function latin1(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    out += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return out;
}

/**
 * When the boundary a multipart message declares is not the one its body uses (an edited
 * or mangled message), the body's first delimiter line is taken instead; null when there
 * is nothing to repair.
 */
export function repairBoundary(raw: Uint8Array): Uint8Array | null {
  const end = raw.indexOf(LF) < 0 ? -1 : findBlankLine(raw);
  if (end < 0) return null;
  const head = latin1(raw.subarray(0, end));
  const declared = /^content-type:\s*multipart\/[^\n]*(?:\n[ \t][^\n]*)*/im.exec(head);
  const boundary = declared && /boundary\s*=\s*"?([^";\s]+)"?/i.exec(declared[0]);
  if (!declared || !boundary) return null;
  const body = latin1(raw.subarray(end, Math.min(raw.length, end + 65536)));
  const used = /\n--([^\s]{1,200})[ \t]*\n/.exec(body)?.[1];
  if (!used || used === boundary[1] || used.startsWith(boundary[1])) return null;
  const fixedHead = head.replace(boundary[0], boundary[0].replace(boundary[1], used));
  const out = new Uint8Array(fixedHead.length + raw.length - end);
  for (let i = 0; i < fixedHead.length; i++) out[i] = fixedHead.charCodeAt(i);
  out.set(raw.subarray(end), fixedHead.length);
  return out;
}

function findBlankLine(raw: Uint8Array): number {
  for (let nl = raw.indexOf(LF); nl >= 0 && nl + 1 < raw.length; nl = raw.indexOf(LF, nl + 1)) {
    if (raw[nl + 1] === LF) return nl + 1;
  }
  return -1;
}

const OPTIONS = { forceRfc822Attachments: true };

/** Parses raw RFC 822 bytes (any line endings) with postal-mime. */
export async function readMail(raw: Uint8Array | ArrayBuffer | string): Promise<Mail> {
  const bytes = repairFolding(toLf(bytesOf(raw)));
  let email = await PostalMime.parse(bytes, OPTIONS);
  if (!email.text && email.attachments.length === 0) {
    const repaired = repairBoundary(bytes);
    if (repaired) email = await PostalMime.parse(repaired, OPTIONS);
  }
  // A multipart message whose parts cannot be found at all is read as plain text.
  if (!email.text && email.attachments.length === 0) {
    const blank = findBlankLine(bytes);
    if (blank > 0) email.text = utf8.decode(bytes.subarray(blank + 1));
  }
  const headers = new Map<string, string[]>();
  for (const h of email.headers) {
    const list = headers.get(h.key);
    if (list) list.push(h.value);
    else headers.set(h.key, [h.value]);
  }
  const contentType = headers.get("content-type")?.[0] ?? "";
  const from = email.from && !email.from.group ? email.from : null;
  const parsedDate = email.date ? Date.parse(email.date) : Number.NaN;
  return {
    headers,
    contentType: contentType.split(";")[0].trim().toLowerCase(),
    reportType: /report-type\s*=\s*"?([\w-]+)/i.exec(contentType)?.[1].toLowerCase() ?? "",
    subject: (email.subject ?? "").replace(/\s+/g, " ").trim(),
    from: from?.address?.toLowerCase() ?? "",
    fromName: from?.name ?? "",
    to: addresses(headers.get("to")?.join(", ")),
    messageId: messageIds(email.messageId)[0] ?? null,
    inReplyTo: messageIds(email.inReplyTo)[0] ?? null,
    references: messageIds(email.references),
    date: Number.isNaN(parsedDate) ? (email.date ?? null) : new Date(parsedDate).toISOString(),
    text: partText(email.text ?? ""),
    // Reports and returned messages are text; images and the like are of no use here.
    parts: email.attachments
      .filter((a) => a.mimeType.startsWith("message/") || a.mimeType.startsWith("text/"))
      .map((a) => ({ mimeType: a.mimeType, text: partText(a.content) })),
  };
}

/** The first value of a header, or "". */
export function header(mail: Mail, name: string): string {
  return mail.headers.get(name)?.[0] ?? "";
}
