// The import page's three steps: pick a file, map its columns, watch the rows go in.
import { Link } from "@remix-run/react";
import {
  CSV_FIELD_LABELS,
  CSV_FIELDS,
  type CsvField,
  type CsvRow,
  MAX_ROWS,
  mappingProblems,
  type RowError,
} from "@workers/core/csv-import";
import type { ChangeEvent } from "react";
import { z } from "zod";

/** Refused rows listed on the page; the CSV download has them all. */
const SHOWN_ERRORS = 1000;

export type Mapped = { fileName: string; headers: string[]; rows: CsvRow[]; mapping: CsvField[] };
export type Run = {
  fileName: string;
  total: number;
  committed: number;
  bad: number;
  errors: RowError[];
  running: boolean;
  done: boolean;
  /** Set when a chunk could not be sent: what was not imported, and where to resume. */
  failure?: { message: string; resumeAt: number };
};
export type Step =
  | { step: "pick"; error?: string; reading?: boolean }
  | ({ step: "map" } & Mapped)
  | ({ step: "run" } & Run);

function sampleOf(rows: CsvRow[], column: number): string {
  for (const r of rows.slice(0, 20)) {
    const v = r.cells[column]?.trim();
    if (v) return v.length > 60 ? `${v.slice(0, 60)}…` : v;
  }
  return "";
}

export function PickStep({
  error,
  reading,
  onFile,
}: {
  error?: string;
  reading?: boolean;
  onFile: (e: ChangeEvent<HTMLInputElement>) => void;
}) {
  return (
    <div className="card">
      <div className="field">
        <label htmlFor="csv-file">CSV file</label>
        <input
          id="csv-file"
          type="file"
          accept=".csv,text/csv"
          onChange={onFile}
          disabled={reading}
          aria-describedby="csv-help"
        />
      </div>
      <p id="csv-help" className="muted small">
        The first row names the columns (for example First name, Last name, Email, Work email,
        Phone, Time zone). Up to 10 MB and {MAX_ROWS.toLocaleString("en-US")} rows. You choose what
        each column holds next.
      </p>
      {reading ? <p role="status">Reading the file…</p> : null}
      {error ? (
        <div className="form-error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

export function MapStep({
  mapped,
  onChange,
  onImport,
  onCancel,
}: {
  mapped: Mapped;
  onChange: (column: number, field: CsvField) => void;
  onImport: () => void;
  onCancel: () => void;
}) {
  const problems = mappingProblems(mapped.mapping);
  return (
    <div className="card stack">
      <p style={{ margin: 0 }}>
        <strong>{mapped.fileName}</strong> — {mapped.rows.length} rows. Choose what each column
        holds.
      </p>
      <div className="table-wrap">
        <table className="responsive mapping-table">
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Example</th>
              <th scope="col">Import as</th>
            </tr>
          </thead>
          <tbody>
            {mapped.headers.map((header, i) => (
              <tr key={header}>
                <td>
                  <strong>{header || `Column ${i + 1}`}</strong>
                </td>
                <td data-label="Example" className="sample">
                  {sampleOf(mapped.rows, i) || "—"}
                </td>
                <td data-label="Import as">
                  <select
                    aria-label={`Import column ${header || i + 1} as`}
                    value={mapped.mapping[i]}
                    onChange={(e) => onChange(i, z.enum(CSV_FIELDS).parse(e.target.value))}
                  >
                    {CSV_FIELDS.map((f) => (
                      <option key={f} value={f}>
                        {CSV_FIELD_LABELS[f]}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {problems.length > 0 ? (
        <div className="form-error" role="alert">
          {problems.join(". ")}.
        </div>
      ) : null}
      <div className="page-actions">
        <button type="button" onClick={onImport} disabled={problems.length > 0}>
          Import
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Choose another file
        </button>
      </div>
    </div>
  );
}

export function RunStep({
  run,
  onResume,
  onRestart,
  onDownloadErrors,
}: {
  run: Run;
  onResume: () => void;
  onRestart: () => void;
  onDownloadErrors: () => void;
}) {
  const pct = run.total > 0 ? Math.round((run.committed / run.total) * 100) : 0;
  const errors = [...run.errors].sort((a, b) => a.line - b.line);
  return (
    <div className="card stack import-progress">
      <p style={{ margin: 0 }}>
        <strong>{run.fileName}</strong>
        {run.running ? " — importing…" : run.done ? " — finished." : " — stopped."}
      </p>
      <div
        className="progress"
        role="progressbar"
        aria-label="Rows imported"
        aria-valuemin={0}
        aria-valuemax={run.total}
        aria-valuenow={run.committed}
        aria-valuetext={`${run.committed} of ${run.total} rows imported`}
      >
        <div style={{ width: `${pct}%` }} />
      </div>
      <p style={{ margin: 0 }} aria-live="polite">
        {run.committed} of {run.total} rows imported
        {run.bad > 0 ? ` · ${run.bad} refused` : ""}
      </p>
      {run.failure ? (
        <div className="form-error" role="alert">
          <p style={{ marginTop: 0 }}>{run.failure.message}</p>
          <p style={{ marginBottom: 0 }}>
            Rows already imported are saved. Try again to send the rest; nothing is imported twice.
          </p>
        </div>
      ) : null}
      {run.failure && !run.running ? (
        <div className="page-actions">
          <button type="button" onClick={onResume}>
            Try again
          </button>
        </div>
      ) : null}
      {run.done ? (
        <div>
          <h2>Summary</h2>
          <div className="summary-numbers">
            <div>
              <strong>{run.committed}</strong>imported
            </div>
            <div>
              <strong>{run.bad}</strong>refused
            </div>
          </div>
          <div className="page-actions">
            <Link to="/people" className="button">
              View people
            </Link>
            <button type="button" className="secondary" onClick={onRestart}>
              Import another file
            </button>
          </div>
        </div>
      ) : null}
      {errors.length > 0 ? (
        <div>
          <div className="row-between">
            <h2>Refused rows</h2>
            {run.done ? (
              <button type="button" className="secondary" onClick={onDownloadErrors}>
                Download as CSV
              </button>
            ) : null}
          </div>
          <p className="muted small">
            Line numbers count every line of the file, the header being line 1, as a text editor
            shows them. A value with line breaks inside quotes counts each of its lines.
          </p>
          <ul className="bad-rows">
            {errors.slice(0, SHOWN_ERRORS).map((e) => (
              <li key={e.line}>
                <strong>Line {e.line}</strong> {e.reason}
              </li>
            ))}
          </ul>
          {errors.length > SHOWN_ERRORS ? (
            <p className="muted small">
              and {errors.length - SHOWN_ERRORS} more — download the CSV for the full list.
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
