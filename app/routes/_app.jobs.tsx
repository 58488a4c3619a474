import { getFormProps, getTextareaProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { data, redirect } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireMember } from "@workers/auth/guards";
import { JobFormSchema, JobListQuerySchema } from "@workers/core/jobs";
import { createJob, listJobs } from "@workers/data/jobs";
import { Notice } from "~/components/notice";
import { Field, FormErrors } from "~/lib/forms";
import { givenParams, readListQuery } from "~/lib/list-query.server";
import styles from "~/styles/settings.css?url";

export const meta: MetaFunction = () => [{ title: "Jobs · Beacon" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const given = givenParams(request);
  // A stale or hand-edited link shows the newest jobs (with a notice for a bad cursor).
  const { query, cursorNotice, status } = readListQuery(JobListQuerySchema, given, {});
  return data(
    {
      jobs: await listJobs(env, actor.teamId, query),
      created: given.created ?? null,
      paged: query.cursor !== undefined,
      cursorNotice,
    },
    { status },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const submission = parseWithZod(await request.formData(), { schema: JobFormSchema });
  if (submission.status !== "success") return submission.reply();
  const job = await createJob(env, actor.teamId, submission.value);
  throw redirect(`/jobs?created=${encodeURIComponent(job.id)}`);
}

const dateFormat = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });

function StageErrors({ errors }: { errors: Record<string, string[]> }) {
  const lines = Object.entries(errors).flatMap(([key, messages]) => {
    const index = /\[(\d+)\]$/.exec(key);
    const prefix = index ? `Stage ${Number(index[1]) + 1}: ` : "";
    return messages.map((m) => `${prefix}${m}`);
  });
  if (lines.length === 0) return null;
  return (
    <div className="field-error" id="stages-error">
      {lines.map((l) => (
        <div key={l}>{l}</div>
      ))}
    </div>
  );
}

function NewJobForm() {
  const lastResult = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: JobFormSchema }),
    shouldRevalidate: "onInput",
  });
  const stageErrors = fields.stages.allErrors;
  return (
    <Form method="post" {...getFormProps(form)} className="card">
      <h2 className="card-title">New job</h2>
      <FormErrors errors={form.errors} />
      <Field label="Title" meta={fields.title} placeholder="Senior Backend Engineer" />
      <div className="field">
        <label htmlFor={fields.stages.id}>Stages, one per line</label>
        <textarea
          {...getTextareaProps(fields.stages)}
          key={fields.stages.key}
          rows={5}
          placeholder={"Sourced\nScreen\nInterview\nOffer"}
          aria-invalid={Object.keys(stageErrors).length > 0 || undefined}
        />
        {Object.keys(stageErrors).length > 0 ? (
          <StageErrors errors={stageErrors} />
        ) : (
          <div className="muted small">
            In pipeline order. Campaigns can be filtered by job and stage.
          </div>
        )}
      </div>
      <button type="submit" disabled={busy}>
        {busy ? "Creating…" : "Create job"}
      </button>
    </Form>
  );
}

export default function Jobs() {
  const { jobs, created, paged, cursorNotice } = useLoaderData<typeof loader>();
  const createdJob = created ? jobs.items.find((j) => j.id === created) : undefined;
  return (
    <div>
      <h1>Jobs</h1>
      <Notice>{createdJob ? `Created “${createdJob.title}”.` : null}</Notice>
      <Notice>{cursorNotice}</Notice>
      <div className="side-layout">
        <section aria-label="Jobs" className="stack">
          {jobs.items.length === 0 ? (
            <div className="card muted">
              {paged ? "No more jobs." : "No jobs yet. Create the first one with the form."}
            </div>
          ) : (
            jobs.items.map((job) => (
              <article key={job.id} className="card job-card">
                <div className="row-between">
                  <h2 className="card-title">{job.title}</h2>
                  <span className="muted small">
                    Created {dateFormat.format(new Date(job.createdAt))}
                  </span>
                </div>
                {job.stages.length === 0 ? (
                  <p className="muted small">No stages.</p>
                ) : (
                  <ol className="stage-list">
                    {job.stages.map((s) => (
                      <li key={s.id}>
                        <span className="stage-number">{s.position + 1}</span>
                        {s.name}
                      </li>
                    ))}
                  </ol>
                )}
              </article>
            ))
          )}
          {paged || jobs.nextCursor ? (
            <div className="row-between">
              {paged ? <Link to="/jobs">← Newest jobs</Link> : <span />}
              {jobs.nextCursor ? (
                <Link to={`/jobs?cursor=${encodeURIComponent(jobs.nextCursor)}`}>Older jobs →</Link>
              ) : null}
            </div>
          ) : null}
        </section>
        <aside className="side-form">
          <NewJobForm />
        </aside>
      </div>
    </div>
  );
}
