// An email stage's attachments: upload files (≤ 10 MB each) and list them; they are sent
// as tracked download links. The list travels in one hidden input as JSON.
import { useId, useRef, useState } from "react";

type Attached = { id: string; name: string; size: number };

const MAX_BYTES = 10 * 1024 * 1024;
const MAX_FILES = 10;

function sizeLabel(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function parse(json: string | undefined): Attached[] {
  if (!json) return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v)
      ? v.filter(
          (a): a is Attached =>
            typeof a?.id === "string" && typeof a?.name === "string" && typeof a?.size === "number",
        )
      : [];
  } catch {
    return [];
  }
}

const TAP = { minHeight: 44 } as const;

export function AttachmentPicker({
  name,
  defaultValue,
  errors,
}: {
  /** The form field holding the JSON list (the stage's `attachments`). */
  name: string;
  defaultValue?: string;
  errors?: string[];
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [files, setFiles] = useState<Attached[]>(() => parse(defaultValue));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function upload(list: FileList | null) {
    if (!list || list.length === 0) return;
    setProblem(null);
    const chosen = [...list];
    if (files.length + chosen.length > MAX_FILES) {
      setProblem(`An email can have at most ${MAX_FILES} attachments.`);
      return;
    }
    const tooBig = chosen.find((f) => f.size > MAX_BYTES);
    if (tooBig) {
      setProblem(`${tooBig.name} is larger than 10 MB; attach a smaller file or a link.`);
      return;
    }
    setBusy(true);
    try {
      const added: Attached[] = [];
      for (const file of chosen) {
        const body = new FormData();
        body.append("file", file);
        const res = await fetch("/attachments", { method: "POST", body });
        const json = (await res.json().catch(() => null)) as
          | (Attached & { error?: { message?: string } })
          | null;
        if (!res.ok || !json?.id) {
          setProblem(json?.error?.message ?? `${file.name} could not be uploaded (${res.status}).`);
          break;
        }
        added.push({ id: json.id, name: json.name, size: json.size });
      }
      setFiles((now) => [...now, ...added]);
    } catch {
      setProblem("The upload failed: check your connection and try again.");
    } finally {
      setBusy(false);
      if (input.current) input.current.value = "";
    }
  }

  const message = problem ?? errors?.[0] ?? null;
  return (
    <div className="field attachment-picker">
      <span id={`${id}-label`}>Attachments</span>
      <input type="hidden" name={name} value={files.length ? JSON.stringify(files) : ""} />
      {files.length > 0 ? (
        <ul aria-labelledby={`${id}-label`} style={{ listStyle: "none", padding: 0, margin: 0 }}>
          {files.map((f) => (
            <li
              key={f.id}
              style={{ display: "flex", gap: 8, alignItems: "center", flexWrap: "wrap" }}
            >
              <span style={{ overflowWrap: "anywhere", flex: "1 1 12rem" }}>
                {f.name} <span className="muted small">({sizeLabel(f.size)})</span>
              </span>
              <button
                type="button"
                className="secondary"
                style={TAP}
                onClick={() => setFiles((now) => now.filter((x) => x.id !== f.id))}
                aria-label={`Remove ${f.name}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <label className="button secondary" style={{ ...TAP, alignSelf: "flex-start" }}>
        {busy ? "Uploading…" : "Attach a file"}
        <input
          ref={input}
          type="file"
          multiple
          className="visually-hidden"
          disabled={busy}
          onChange={(e) => upload(e.currentTarget.files)}
        />
      </label>
      <div className="muted small">
        Sent as download links (up to 10 MB each); each download is counted.
      </div>
      {message ? (
        <div className="field-error" role="alert">
          {message}
        </div>
      ) : null}
    </div>
  );
}
