/**
 * Tracking in an email's body (composed in core/engine/compose.ts): links become tracked
 * redirects, attachments become tracked download links, a hidden honeypot link and an
 * open pixel are added. URLs are made by the caller (they are signed); this is text work.
 */

/** A URL in plain text; trailing punctuation that ends a sentence is not part of it. */
const URL_RE = /https?:\/\/[^\s<>"']+/g;
const TRAILING = /[.,;:!?)\]]+$/;

function splitTrailing(raw: string): [string, string] {
  const m = raw.match(TRAILING);
  return m ? [raw.slice(0, -m[0].length), m[0]] : [raw, ""];
}

/** The distinct URLs of a text body, in order of first appearance. */
export function linksIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(URL_RE)) {
    const [url] = splitTrailing(m[0]);
    if (!out.includes(url)) out.push(url);
  }
  return out;
}

/** The plain-text body with each URL replaced by its tracked URL. */
export function trackText(text: string, tracked: (url: string) => string): string {
  return text.replace(URL_RE, (raw) => {
    const [url, tail] = splitTrailing(raw);
    return `${tracked(url)}${tail}`;
  });
}

const escapeAttr = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A URL in HTML text: it ends at whitespace, a tag, a quote or any entity but &amp;. */
const HTML_URL_RE = /https?:\/\/(?:[^\s<>"'&]|&amp;|&(?![a-zA-Z]+;|#\d+;))+/g;

const HREF_RE = /(\shref\s*=\s*)(["'])(https?:\/\/[^"']+)\2/i;

/**
 * An HTML body (the template's own markup, merged values escaped) with every link made a
 * tracked one: an `<a href="http…">` gets the tracked URL; a bare URL in text (outside
 * any link) becomes a link to its tracked URL, the original URL as the visible text.
 */
export function trackHtml(html: string, tracked: (url: string) => string): string {
  let inLink = 0;
  return html
    .split(/(<[^>]*>)/)
    .map((part) => {
      if (part.startsWith("<")) {
        if (/^<a\b/i.test(part)) {
          inLink++;
          return part.replace(
            HREF_RE,
            (_m, pre: string, q: string, url: string) =>
              `${pre}${q}${escapeAttr(tracked(url.replace(/&amp;/g, "&")))}${q}`,
          );
        }
        if (/^<\/a\s*>/i.test(part)) inLink = Math.max(0, inLink - 1);
        return part;
      }
      if (inLink > 0) return part;
      return part.replace(HTML_URL_RE, (raw) => {
        const [shown, tail] = splitTrailing(raw);
        const url = shown.replace(/&amp;/g, "&");
        return `<a href="${escapeAttr(tracked(url))}">${shown}</a>${tail}`;
      });
    })
    .join("");
}

/** A link no person sees or can tap: only machines that follow every link hit it. */
export function honeypotHtml(url: string): string {
  return `<a href="${escapeAttr(url)}" style="display:none!important;font-size:0;line-height:0;max-height:0;overflow:hidden" aria-hidden="true" tabindex="-1">&#8203;</a>`;
}

/** The 1×1 open pixel. */
export function pixelHtml(url: string): string {
  return `<img src="${escapeAttr(url)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`;
}

export type AttachmentLink = { name: string; size: number; url: string };

/** "2.4 MB", "830 KB", "12 bytes". */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** The attachments' block: plain text. */
export function attachmentsText(files: AttachmentLink[]): string {
  if (files.length === 0) return "";
  return `\n\nAttachments:\n${files.map((f) => `- ${f.name} (${formatSize(f.size)}): ${f.url}`).join("\n")}`;
}

/** The attachments' block: HTML. */
export function attachmentsHtml(files: AttachmentLink[]): string {
  if (files.length === 0) return "";
  const items = files
    .map(
      (f) =>
        `<li><a href="${escapeAttr(f.url)}">${escapeAttr(f.name)}</a> (${formatSize(f.size)})</li>`,
    )
    .join("");
  return `<p style="margin:16px 0 4px">Attachments:</p><ul style="margin:0;padding-left:20px">${items}</ul>`;
}
