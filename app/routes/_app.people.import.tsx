import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link } from "@remix-run/react";
import { requireMember } from "@workers/auth/guards";
import {
  ChunkResultSchema,
  type CsvField,
  type CsvRow,
  chunkRows,
  fileTooBig,
  guessMapping,
  lineRange,
  MAX_ROWS,
  parseCsv,
} from "@workers/core/csv-import";
import { type ChangeEvent, useEffect, useRef, useState } from "react";
import {
  type Mapped,
  MapStep,
  PickStep,
  type Run,
  RunStep,
  type Step,
} from "~/components/import-steps";
import { postJson, Started } from "~/lib/import-client";
import styles from "~/styles/people.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "Import people · Beacon" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireMember(request, context.cloudflare.env);
  return null;
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
