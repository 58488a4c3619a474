/**
 * How many bytes a JSON API body may have, per route. 1 MiB unless a route says more:
 * enrolling or acting on 10,000 person ids fits in 1 MiB (about 100 bytes an id), a person
 * in far less. A campaign may hold 50 stages of 100,000 characters each: up to 15 MB as
 * UTF-8, so campaign bodies get 16 MiB. CSV import does not come through here: the browser
 * sends it in chunks to a page route (docs/decisions/0002).
 */
export const JSON_BODY_LIMITS = {
  default: 1024 * 1024,
  campaign: 16 * 1024 * 1024,
} as const;

/** "1 MiB", "64 KiB", "300 bytes": a limit as a person reads it. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
