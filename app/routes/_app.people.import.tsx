import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link } from "@remix-run/react";
import { requireMember } from "@workers/auth/guards";
import {
  ChunkResultSchema,
  CSV_FIELD_LABELS,
  CSV_FIELDS,
  type CsvField,
  type CsvRow,
  chunkRows,
  fileTooBig,
  guessMapping,
  lineRange,
  MAX_ROWS,
  mappingProblems,
  parseCsv,
  type RowError,
} from "@workers/core/csv-import";
import { type ChangeEvent, useEffect, useRef, useState } from "react";
import { z } from "zod";
import styles from "~/styles/people.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "Import people · Beacon" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireMember(request, context.cloudflare.env);
  return null;
}

const ENDPOINT = "/people/import/rows";
const ATTEMPTS = 3;
const SHOWN_ERRORS = 1000;

const Started = z.object({ importId: z.string() });
const ErrorBody = z.object({ error: z.object({ message: z.string() }) });

type Outcome<T> = { ok: true; value: T } | { ok: false; message: string };

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POSTs JSON to the import endpoint. Network failures, 5xx, 429 and answers that are not
 * ours are retried (ATTEMPTS in all); other refusals are final. Safe to retry: the server
 * commits each chunk once.
 */
async function postJson<T>(body: unknown, schema: z.ZodType<T>): Promise<Outcome<T>> {
  let message = "";
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await wait(700 * (attempt - 1));
    let res: Response;
    try {
      res = await fetch(ENDPOINT, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
    } catch {
      message = "the connection to Beacon failed";
      continue;
    }
    const json: unknown = await res.json().catch(() => null);
    if (res.ok) {
      const parsed = schema.safeParse(json);
      if (parsed.success) return { ok: true, value: parsed.data };
      message = "Beacon sent an answer this page does not understand";
      continue;
    }
    const error = ErrorBody.safeParse(json);
    message = error.success
      ? error.data.error.message
      : `Beacon could not take them (HTTP ${res.status})`;
    if (res.status < 500 && res.status !== 429) return { ok: false, message };
  }
  return { ok: false, message };
}

type Mapped = { fileName: string; headers: string[]; rows: CsvRow[]; mapping: CsvField[] };
type Run = {
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
type Step =
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

function PickStep({
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

function MapStep({
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

function RunStep({
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

export default function ImportPeople() {
  const [state, setState] = useState<Step>({ step: "pick" });
  // The running import lives in a ref: a retry resumes it with the same import id.
  const job = useRef<{
    importId?: string;
    fileName: string;
    chunks: CsvRow[][];
    mapping: CsvField[];
    errors: Map<number, string>;
  } | null>(null);
  const running = state.step === "run" && state.running;

  useEffect(() => {
    if (!running) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [running]);

  async function onFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (!file) return;
    const tooBig = fileTooBig(file.size);
    if (tooBig) {
      setState({ step: "pick", error: tooBig });
      return;
    }
    setState({ step: "pick", reading: true });
    const text = await file.text();
    const parsed = parseCsv(text);
    if (parsed.tooManyRows) {
      setState({
        step: "pick",
        error: `The file has more than ${MAX_ROWS.toLocaleString("en-US")} rows. Split it and import the parts.`,
      });
      return;
    }
    if (parsed.headers.length === 0 || parsed.rows.length === 0) {
      setState({
        step: "pick",
        error: "The file has no data rows under its header row. Choose another file.",
      });
      return;
    }
    setState({
      step: "map",
      fileName: file.name,
      headers: parsed.headers,
      rows: parsed.rows,
      mapping: guessMapping(parsed.headers),
    });
  }

  function update(patch: Partial<Run>) {
    setState((s) => (s.step === "run" ? { ...s, ...patch } : s));
  }

  async function send(resumeAt: number) {
    const j = job.current;
    if (!j) return;
    update({ running: true, failure: undefined });
    if (!j.importId) {
      const started = await postJson(
        {
          op: "start",
          fileName: j.fileName,
          totalRows: j.chunks.reduce((n, c) => n + c.length, 0),
        },
        Started,
      );
      if (!started.ok) {
        update({
          running: false,
          failure: { message: `The import could not start: ${started.message}.`, resumeAt: 0 },
        });
        return;
      }
      j.importId = started.value.importId;
    }
    for (let i = resumeAt; i < j.chunks.length; i++) {
      const result = await postJson(
        { op: "chunk", importId: j.importId, chunkIndex: i, mapping: j.mapping, rows: j.chunks[i] },
        ChunkResultSchema,
      );
      if (!result.ok) {
        const from = j.chunks[i][0].line;
        const rest = i < j.chunks.length - 1 ? `line ${from} to the end` : lineRange(j.chunks[i]);
        update({
          running: false,
          failure: {
            message: `Rows from ${rest} were not imported: ${result.message}.`,
            resumeAt: i,
          },
        });
        return;
      }
      // A retried chunk the server had already committed reports its errors again.
      for (const e of result.value.errors) j.errors.set(e.line, e.reason);
      update({
        committed: result.value.committedRows,
        bad: result.value.badRows,
        errors: [...j.errors].map(([line, reason]) => ({ line, reason })),
      });
    }
    update({ running: false, done: true });
  }

  function startImport(mapped: Mapped) {
    job.current = {
      fileName: mapped.fileName,
      chunks: chunkRows(mapped.rows),
      mapping: mapped.mapping,
      errors: new Map(),
    };
    setState({
      step: "run",
      fileName: mapped.fileName,
      total: mapped.rows.length,
      committed: 0,
      bad: 0,
      errors: [],
      running: true,
      done: false,
    });
    void send(0);
  }

  function downloadErrors() {
    if (state.step !== "run") return;
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const lines = ["line,reason", ...state.errors.map((e) => `${e.line},${quote(e.reason)}`)];
    const url = URL.createObjectURL(new Blob([`${lines.join("\n")}\n`], { type: "text/csv" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `refused-rows-${state.fileName}`;
    a.click();
    URL.revokeObjectURL(url);
  }

  return (
    <div className="import-steps">
      <p className="small">
        <Link to="/people">← People</Link>
      </p>
      <h1>Import people from CSV</h1>
      <noscript>
        <div className="notice">Importing reads the file in your browser: turn on JavaScript.</div>
      </noscript>
      {state.step === "pick" ? (
        <PickStep error={state.error} reading={state.reading} onFile={onFile} />
      ) : null}
      {state.step === "map" ? (
        <MapStep
          mapped={state}
          onChange={(column, field) =>
            setState((s) =>
              s.step === "map"
                ? { ...s, mapping: s.mapping.map((f, i) => (i === column ? field : f)) }
                : s,
            )
          }
          onImport={() => startImport(state)}
          onCancel={() => setState({ step: "pick" })}
        />
      ) : null}
      {state.step === "run" ? (
        <RunStep
          run={state}
          onResume={() => state.failure && void send(state.failure.resumeAt)}
          onRestart={() => {
            job.current = null;
            setState({ step: "pick" });
          }}
          onDownloadErrors={downloadErrors}
        />
      ) : null}
    </div>
  );
}
