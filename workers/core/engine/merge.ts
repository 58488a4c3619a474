/** The merge fields an email or SMS may use, as written between double braces. */
export const MERGE_FIELDS = ["firstName", "lastName", "jobTitle", "senderName"] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];
export type MergeData = Partial<Record<MergeField, string | null | undefined>>;

export type RenderResult =
  | { ok: true; text: string }
  /** `missing`: fields without a value for this person; `unknown`: names that are not merge fields. */
  | { ok: false; missing: MergeField[]; unknown: string[] };

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const BY_LOWER = new Map<string, MergeField>(MERGE_FIELDS.map((f) => [f.toLowerCase(), f]));

function fieldOf(name: string): MergeField | undefined {
  return BY_LOWER.get(name.toLowerCase());
}

/** Every distinct name written as {{ name }} in a template, in order of first use. */
export function mergeFieldsIn(template: string): string[] {
  const names = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) names.add(m[1]);
  return [...names];
}

/** Names in a template that are not merge fields (a typo such as {{fristName}}). */
export function unknownMergeFields(template: string): string[] {
  return mergeFieldsIn(template).filter((n) => fieldOf(n) === undefined);
}

function render(template: string, data: MergeData, encode: (s: string) => string): RenderResult {
  const missing = new Set<MergeField>();
  const unknown = new Set<string>();
  const text = template.replace(PLACEHOLDER, (whole, name: string) => {
    const field = fieldOf(name);
    if (!field) {
      unknown.add(name);
      return whole;
    }
    const value = data[field]?.trim();
    if (!value) {
      missing.add(field);
      return whole;
    }
    return encode(value);
  });
  if (missing.size > 0 || unknown.size > 0) {
    return { ok: false, missing: [...missing], unknown: [...unknown] };
  }
  return { ok: true, text };
}

/** Text for a one-line header: each run of CR/LF becomes one space, so nothing starts a new header. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ");
}

/**
 * As renderTemplate, for a header such as Subject: merged values and the template itself
 * are made one line (a name stored with a line break must never add a header).
 */
export function renderHeader(template: string, data: MergeData): RenderResult {
  const r = render(template, data, oneLine);
  return r.ok ? { ok: true, text: oneLine(r.text) } : r;
}

/**
 * Fills {{firstName}}-style fields (whitespace inside the braces and letter case are
 * tolerated). A field without a value makes the whole render fail — never "Hi ,".
 */
export function renderTemplate(template: string, data: MergeData): RenderResult {
  return render(template, data, (s) => s);
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text made safe to place in HTML content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** As renderTemplate, for an HTML template: the merged values are escaped, the template is not. */
export function renderHtml(template: string, data: MergeData): RenderResult {
  return render(template, data, escapeHtml);
}
