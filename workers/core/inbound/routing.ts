import { normalizeEmail } from "../people";

/** How a message reached us: by a message's reply token, a mailbox's sync address, or neither. */
export type Route =
  | { via: "reply"; token: string }
  | { via: "sync"; token: string }
  | { via: "other" };

/** Reads the envelope recipient: `reply+<token>@` or `sync+<token>@` our inbound domain. */
export function routeOf(envelopeTo: string, inboundDomain: string | null): Route {
  const address = envelopeTo.trim().replace(/^<|>$/g, "").toLowerCase();
  const at = address.lastIndexOf("@");
  if (at <= 0 || !inboundDomain || address.slice(at + 1) !== inboundDomain.toLowerCase()) {
    return { via: "other" };
  }
  const local = address.slice(0, at);
  const match = /^(reply|sync)\+([a-z0-9]+)$/.exec(local);
  if (!match) return { via: "other" };
  return match[1] === "reply"
    ? { via: "reply", token: match[2] }
    : { via: "sync", token: match[2] };
}

const MESSAGE_ID = /<([^<>@\s]+)@([^<>\s]+)>/g;
const ROW_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Our message rows named by Message-IDs in In-Reply-To / References (ours are
 * `<row-id@our-host>`; a provider may have replaced the Message-ID, but ours stays in
 * References). Most recent first, as References lists the newest last.
 */
export function ourRowIds(headerValues: (string | null | undefined)[], host: string): string[] {
  const out: string[] = [];
  for (const value of headerValues) {
    for (const m of (value ?? "").matchAll(MESSAGE_ID)) {
      if (m[2].toLowerCase() === host.toLowerCase() && ROW_ID.test(m[1])) {
        out.push(m[1].toLowerCase());
      }
    }
  }
  return [...new Set(out.reverse())];
}

/** The bare address of a From/To value such as `"Ada" <Ada@Example.org>`, lower-cased. */
export function bareAddress(value: string | null | undefined): string | null {
  if (!value) return null;
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(value);
  const plain = angle ? angle[1] : /[^\s<>"]+@[^\s<>"]+/.exec(value)?.[0];
  return plain ? plain.toLowerCase() : null;
}

/** Same person's address however written: case, Gmail dots and +tags. */
export function sameAddress(a: string, b: string): boolean {
  return normalizeEmail(a) === normalizeEmail(b);
}

/** Mail providers where a shared domain says nothing about a shared company. */
const FREE_MAIL = new Set([
  "gmail.com",
  "googlemail.com",
  "outlook.com",
  "hotmail.com",
  "live.com",
  "msn.com",
  "yahoo.com",
  "ymail.com",
  "icloud.com",
  "me.com",
  "mac.com",
  "aol.com",
  "proton.me",
  "protonmail.com",
  "gmx.de",
  "gmx.net",
  "web.de",
  "mail.com",
  "yandex.ru",
  "qq.com",
  "163.com",
]);

/** The company an address belongs to, by its domain; null for free-mail providers. */
export function companyDomain(address: string): string | null {
  const domain = normalizeEmail(address).split("@")[1] ?? "";
  if (!domain || FREE_MAIL.has(domain)) return null;
  return domain;
}
