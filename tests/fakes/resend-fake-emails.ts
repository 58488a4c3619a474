// Validation of email payloads as Resend's POST /emails and /emails/batch see them,
// and the canonical form used to compare idempotent payloads.

import type { FakeEmail } from "./resend-fake-api";

export type EmailDraft = Omit<FakeEmail, "id" | "idempotencyKey" | "batchIndex">;

export type EmailCheck =
  | { ok: true; email: EmailDraft }
  | { ok: false; status: 403 | 422; message: string };

export type EmailRules = {
  batch: boolean;
  /** Recipient domains that refuse mail (lower-case). */
  rejectDomains: ReadonlySet<string>;
  /** When set, `from` must be on one of these domains (lower-case). */
  verifiedDomains: ReadonlySet<string> | null;
};

export const MAX_BATCH = 100;
const MAX_RECIPIENTS = 50;
const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;
const NAMED_ADDRESS = /^[^<>]*<([^<>]+)>$/;

/** Canonical JSON: object keys sorted at every depth, so key order never changes a fingerprint. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** The bare address of `a@b.c` or `Name <a@b.c>`, lower-cased; null when it is not one. */
export function addressOf(value: string): string | null {
  const trimmed = value.trim();
  const inner = NAMED_ADDRESS.exec(trimmed)?.[1]?.trim() ?? trimmed;
  return ADDRESS.test(inner) ? inner.toLowerCase() : null;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asList(value: unknown): string[] | null {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  return null;
}

function invalid(message: string, status: 403 | 422 = 422): EmailCheck {
  return { ok: false, status, message };
}

const ADDRESS_FORMAT = "follow the `email@example.com` or `Name <email@example.com>` format";

/** Checks one email the way Resend does before accepting it. */
export function checkEmail(item: unknown, rules: EmailRules): EmailCheck {
  if (!isRecord(item)) return invalid("The email must be a JSON object.");
  if (rules.batch && item.attachments !== undefined) {
    return invalid("The `attachments` field is not supported in batch sending.");
  }
  if (rules.batch && item.scheduled_at !== undefined) {
    return invalid("The `scheduled_at` field is not supported in batch sending.");
  }
  if (typeof item.from !== "string" || item.from.trim() === "") {
    return invalid("Missing `from` field.");
  }
  const fromAddress = addressOf(item.from);
  if (!fromAddress) return invalid(`Invalid \`from\` field. It needs to ${ADDRESS_FORMAT}.`);
  if (item.to === undefined || item.to === null || item.to === "") {
    return invalid("Missing `to` field.");
  }
  const to = asList(item.to);
  if (!to || to.length === 0) return invalid("Missing `to` field.");
  if (to.length > MAX_RECIPIENTS) {
    return invalid(`Too many recipients in \`to\`: ${to.length} (max ${MAX_RECIPIENTS}).`);
  }
  const toAddresses: string[] = [];
  for (const recipient of to) {
    const address = addressOf(recipient);
    if (!address)
      return invalid(`Invalid \`to\` field: "${recipient}" does not ${ADDRESS_FORMAT}.`);
    toAddresses.push(address);
  }
  if (typeof item.subject !== "string" || item.subject.trim() === "") {
    return invalid("Missing `subject` field.");
  }
  const cc = asList(item.cc);
  const bcc = asList(item.bcc);
  const replyTo = asList(item.reply_to);
  if (!cc || !bcc || !replyTo) return invalid("`cc`, `bcc` and `reply_to` must be strings.");
  const headers = item.headers ?? {};
  if (!isRecord(headers) || !Object.values(headers).every((v) => typeof v === "string")) {
    return invalid("The `headers` field must map header names to strings.");
  }
  for (const field of ["text", "html"] as const) {
    if (item[field] !== undefined && item[field] !== null && typeof item[field] !== "string") {
      return invalid(`The \`${field}\` field must be a string.`);
    }
  }
  if (rules.verifiedDomains && !rules.verifiedDomains.has(domainOf(fromAddress))) {
    return invalid(
      `The ${domainOf(fromAddress)} domain is not verified. Please, add and verify your domain.`,
      403,
    );
  }
  const rejected = toAddresses.find((a) => rules.rejectDomains.has(domainOf(a)));
  if (rejected) return invalid(`The recipient ${rejected} was rejected by its domain.`);
  return {
    ok: true,
    email: {
      to: toAddresses,
      from: item.from,
      subject: item.subject,
      cc,
      bcc,
      replyTo,
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])),
      text: typeof item.text === "string" ? item.text : null,
      html: typeof item.html === "string" ? item.html : null,
    },
  };
}
