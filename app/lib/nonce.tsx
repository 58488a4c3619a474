import { createContext, useContext } from "react";

/**
 * The per-request CSP nonce of Remix's inline scripts. Set by entry.server; empty in the
 * browser, which hides a nonce attribute's value after parsing (so hydration matches).
 */
const NonceContext = createContext("");

export const NonceProvider = NonceContext.Provider;

export function useNonce(): string {
  return useContext(NonceContext);
}
