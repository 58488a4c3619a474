/**
 * Networks whose requests to tracking links are machines, not people: security scanners
 * of mail providers and gateways that fetch every link and image of incoming mail
 * (DESIGN.md §1 "Metrics"). By ASN first, then by the AS organisation's name. Cloudflare's
 * own networks are deliberately absent: locally every request carries Miniflare's
 * placeholder (ASN 395747, Cloudflare), and real visitors may come through WARP.
 */
export const SCANNER_ASNS: ReadonlyMap<number, string> = new Map([
  [8075, "Microsoft"],
  [8074, "Microsoft"],
  [12076, "Microsoft"],
  [8068, "Microsoft"],
  [3598, "Microsoft"],
  [26211, "Proofpoint"],
  [22843, "Proofpoint"],
  [13916, "Proofpoint"],
  [30031, "Mimecast"],
  [42427, "Mimecast"],
  [205501, "Mimecast"],
  [15324, "Barracuda"],
  [16417, "Cisco IronPort"],
  [30238, "Cisco IronPort"],
  [21345, "Symantec MessageLabs"],
  [26282, "Symantec MessageLabs"],
  [16880, "Trend Micro"],
  [44444, "Forcepoint"],
  [40934, "Fortinet"],
  [53813, "Zscaler"],
  [22616, "Zscaler"],
  [62044, "Zscaler"],
  [36351, "Sophos"],
  [55002, "Sophos"],
]);

const SCANNER_ORGS: [RegExp, string][] = [
  [/\bmicrosoft\b/i, "Microsoft"],
  [/\bproofpoint\b/i, "Proofpoint"],
  [/\bmimecast\b/i, "Mimecast"],
  [/\bbarracuda\b/i, "Barracuda"],
  [/\bironport\b/i, "Cisco IronPort"],
  [/\bmessagelabs\b/i, "Symantec MessageLabs"],
  [/\btrend ?micro\b/i, "Trend Micro"],
  [/\bforcepoint\b|\bwebsense\b/i, "Forcepoint"],
  [/\bfortinet\b/i, "Fortinet"],
  [/\bzscaler\b/i, "Zscaler"],
  [/\bsophos\b/i, "Sophos"],
  [/\bcheck ?point\b/i, "Check Point"],
  [/\bhornetsecurity\b/i, "Hornetsecurity"],
  [/\bspamhaus\b/i, "Spamhaus"],
];

/** The scanner a request comes from (its name), or null for an ordinary network. */
export function scannerNetwork(asn: number | null, asOrg: string | null): string | null {
  if (asn !== null) {
    const byAsn = SCANNER_ASNS.get(asn);
    if (byAsn) return byAsn;
  }
  if (asOrg) {
    for (const [re, name] of SCANNER_ORGS) if (re.test(asOrg)) return name;
  }
  return null;
}

/** Apple's networks (Mail Privacy Protection fetches images from them). */
const APPLE_ASNS = new Set([714, 6185]);

/**
 * An image proxy that fetches images for the recipient's mail app: an open it reports is
 * counted (the mail was opened or prefetched on the person's device) but labelled "proxy".
 * Gmail's proxy names itself; Apple Mail Privacy Protection comes from Apple's networks.
 */
export function imageProxy(
  userAgent: string | null,
  asn: number | null,
  asOrg: string | null,
): "gmail" | "apple_mpp" | "yahoo" | null {
  const ua = userAgent ?? "";
  if (/GoogleImageProxy|ggpht\.com/i.test(ua)) return "gmail";
  if (/YahooMailProxy/i.test(ua)) return "yahoo";
  if ((asn !== null && APPLE_ASNS.has(asn)) || /\bapple\b/i.test(asOrg ?? "")) return "apple_mpp";
  return null;
}
