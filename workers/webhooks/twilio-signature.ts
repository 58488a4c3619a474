/**
 * Twilio's request signature (X-Twilio-Signature): base64 of HMAC-SHA1, keyed with the
 * account's auth token, over the URL Twilio called followed by every POST parameter
 * sorted by name, each as name + value.
 */

const enc = new TextEncoder();

/**
 * The URLs Twilio may have signed: the one configured in its console, which is public —
 * PUBLIC_URL's origin with the request's path and query (behind a proxy or a custom domain
 * the Worker's own host can differ). With an implicit port, also with the scheme's default
 * port written out, as Twilio's own helper libraries accept either.
 */
export function signedUrls(publicUrl: string, request: URL): string[] {
  const base = new URL(publicUrl);
  const rest = `${request.pathname}${request.search}`;
  if (base.port !== "") return [`${base.protocol}//${base.host}${rest}`];
  const defaultPort = base.protocol === "https:" ? "443" : "80";
  return [
    `${base.protocol}//${base.hostname}${rest}`,
    `${base.protocol}//${base.hostname}:${defaultPort}${rest}`,
  ];
}

/** What Twilio signs: the URL, then the parameters sorted by name (then value), name + value. */
export function signedPayload(url: string, params: [string, string][]): string {
  const sorted = [...params].sort(([an, av], [bn, bv]) =>
    an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0,
  );
  return url + sorted.map(([name, value]) => name + value).join("");
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  let binary: string;
  try {
    binary = atob(text.trim());
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Whether `signature` is Twilio's for the parameters at any of `urls`. WebCrypto's verify
 * compares in constant time, so a forger learns nothing from how long a refusal takes.
 */
export async function verifyTwilioSignature(
  authToken: string,
  signature: string,
  urls: string[],
  params: [string, string][],
): Promise<boolean> {
  const mac = fromBase64(signature);
  // HMAC-SHA1 is 20 bytes: anything else cannot be one.
  if (mac?.byteLength !== 20) return false;
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(authToken),
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["verify"],
  );
  for (const url of urls) {
    if (await crypto.subtle.verify("HMAC", key, mac, enc.encode(signedPayload(url, params)))) {
      return true;
    }
  }
  return false;
}
