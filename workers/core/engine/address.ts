import type { EmailPriority } from "./schemas";

export type EmailType = "personal" | "work";
export type PersonEmail = { address: string; type: EmailType };

export type AddressChoice =
  | { ok: true; address: string; type: EmailType }
  | { ok: false; reason: "null_email" };

const ORDER: Record<EmailPriority, EmailType[]> = {
  personal_first: ["personal", "work"],
  work_first: ["work", "personal"],
  personal_only: ["personal"],
  work_only: ["work"],
};

/**
 * The address a stage sends to under its email priority: the person's first address of
 * the preferred type, else (for *_first) of the other. None usable → `null_email`.
 */
export function chooseAddress(emails: PersonEmail[], priority: EmailPriority): AddressChoice {
  for (const type of ORDER[priority]) {
    const found = emails.find((e) => e.type === type && e.address.trim() !== "");
    if (found) return { ok: true, address: found.address.trim(), type };
  }
  return { ok: false, reason: "null_email" };
}
