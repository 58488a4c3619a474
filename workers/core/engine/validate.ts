import { z } from "zod";

export type Validation = { ok: true } | { ok: false; detail: string };

/** Checks an address before sending; pluggable, so a stricter rule can be passed in. */
export type AddressValidator = (address: string) => Validation;

const Email = z.email();

/**
 * The built-in check: well-formed, and not on a domain that cannot exist (RFC 2606/6761's
 * reserved .invalid, or a one-letter top-level domain).
 */
export const syntaxValidator: AddressValidator = (address) => {
  if (!Email.safeParse(address).success) {
    return { ok: false, detail: `${address} is not a well-formed email address` };
  }
  const domain = address.slice(address.lastIndexOf("@") + 1).toLowerCase();
  const tld = domain.slice(domain.lastIndexOf(".") + 1);
  if (tld === "invalid" || tld.length < 2) {
    return { ok: false, detail: `The domain ${domain} cannot receive mail` };
  }
  return { ok: true };
};
