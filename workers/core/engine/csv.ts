import Papa from "papaparse";
import { type ProspectStatus, type Reason, reasonLabel, STATUS_LABELS } from "./statuses";

export type ProspectCsvRow = {
  personId: string;
  name: string;
  email: string | null;
  status: ProspectStatus;
  reason: Reason | null;
  reasonDetail?: string;
  stageIndex: number;
  stageCount: number;
  nextAt: number | null;
  updatedAt: number;
};

export const PROSPECT_CSV_COLUMNS = [
  "Person ID",
  "Name",
  "Email",
  "Status",
  "Reason",
  "Reason label",
  "Stage",
  "Next at",
  "Updated at",
] as const;

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, also after leading blanks,
 * or a leading tab/CR) is prefixed with ' so it shows as text (OWASP CSV injection).
 */
export function safeCell(value: string): string {
  return /^[\t\r]|^\s*[=+\-@]/.test(value) ? `'${value}` : value;
}

const isoOrEmpty = (ms: number | null) => (ms === null ? "" : new Date(ms).toISOString());

/** The Prospects export: one row per prospect, times in ISO 8601 UTC, formula-safe. */
export function prospectsToCsv(rows: ProspectCsvRow[], options: { bom?: boolean } = {}): string {
  const data = rows.map((r) =>
    [
      r.personId,
      r.name,
      r.email ?? "",
      STATUS_LABELS[r.status],
      r.reason ?? "",
      r.reason ? reasonLabel(r.reason, r.reasonDetail) : "",
      r.stageIndex < r.stageCount ? `${r.stageIndex + 1} of ${r.stageCount}` : "All done",
      isoOrEmpty(r.nextAt),
      isoOrEmpty(r.updatedAt),
    ].map(safeCell),
  );
  const csv = Papa.unparse(
    { fields: [...PROSPECT_CSV_COLUMNS], data },
    { newline: "\r\n", quotes: false, escapeFormulae: false },
  );
  // Excel reads UTF-8 names correctly only with a byte-order mark.
  return options.bom ? `\uFEFF${csv}\r\n` : `${csv}\r\n`;
}
