import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { CampaignFormSchema } from "@workers/core/campaign-form";
import { CampaignFormSections } from "~/components/campaign-form-sections";
import { Presence } from "~/components/presence";
import { editAction, editPage, type Refusal, type Stale } from "~/lib/campaign-edit.server";
import { FormErrors } from "~/lib/forms";
import { formatDateTime } from "~/lib/time";
import styles from "~/styles/campaigns.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Edit ${data.campaign.name} · Beacon` : "Edit campaign · Beacon" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return editPage(context.cloudflare.env, request, params.id ?? "");
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  return editAction(context.cloudflare.env, request, params.id ?? "");
}

/**
 * The form keeps the version and base it was loaded from until the person reloads: a
 * save that is refused must not quietly re-base the form on the newer campaign.
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({
  formMethod,
  defaultShouldRevalidate,
}) => (formMethod?.toUpperCase() === "POST" ? false : defaultShouldRevalidate);

export default function EditCampaign() {
  const data = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const version = answer?.version ?? data.version;
  const base = answer?.base ?? data.base;
  const [form, fields] = useForm({
    lastResult: answer?.result,
    defaultValue: data.form,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: CampaignFormSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  const c = data.campaign;
  return (
    <div className="campaign-new campaign-edit">
      <p className="small">
        <Link to={`/campaigns/${c.id}`}>← {c.name}</Link>
      </p>
      <div className="edit-head">
        <h1>Edit campaign</h1>
        <Presence campaignId={c.id} mode="editing" />
      </div>
      {answer?.notice ? (
        <div className="notice" role="status">
          {answer.notice}
        </div>
      ) : null}
      <Form method="post" {...getFormProps(form)}>
        <input type="hidden" name="version" value={version} />
        <input type="hidden" name="base" value={base} />
        {answer?.stale ? (
          <StaleView stale={answer.stale} campaignId={c.id} timeZone={data.timeZone} busy={busy} />
        ) : null}
        <FormErrors errors={form.errors} />
        <CampaignFormSections
          form={form}
          fields={fields}
          mailboxes={data.mailboxes}
          jobs={data.jobs}
          stagesNote={answer?.refusal ? <RefusalNote refusal={answer.refusal} busy={busy} /> : null}
        />
        <div className="form-actions">
          <button type="submit" name="intent" value="save" disabled={busy}>
            {busy ? "Saving…" : "Save changes"}
          </button>
          <Link to={`/campaigns/${c.id}`}>Cancel</Link>
        </div>
      </Form>
    </div>
  );
}

function RefusalNote({ refusal, busy }: { refusal: Refusal; busy: boolean }) {
  return (
    <div className="form-error stage-refusal" role="alert">
      <p>{refusal.message}</p>
      <p className="small">
        Skipping moves the people at that stage on to the next one (their waiting message is
        canceled); then save again. Your edits stay as they are.
      </p>
      <button
        type="submit"
        name="intent"
        value={`skip:${refusal.stageId}`}
        className="secondary"
        disabled={busy}
      >
        Skip them past it
      </button>
    </div>
  );
}

function StaleView({
  stale,
  campaignId,
  timeZone,
  busy,
}: {
  stale: Stale;
  campaignId: string;
  timeZone: string;
  busy: boolean;
}) {
  const overlap = stale.conflicts.length > 0;
  return (
    <section className="card stale-view" role="alert" aria-labelledby="stale-title">
      <h2 id="stale-title" className="card-title">
        Someone saved this campaign while you were editing
      </h2>
      <p className="small">
        Your changes were not saved. The campaign is now at version {stale.theirVersion}
        {stale.savedAt ? `, saved ${formatDateTime(stale.savedAt, timeZone)}` : ""}. What they
        changed:
      </p>
      <ChangeTable rows={stale.changes} />
      {overlap ? (
        <>
          <p className="small">
            <strong>You both changed these fields</strong>, so yours cannot go on top of theirs:
          </p>
          <ChangeTable rows={stale.conflicts} />
          <p className="small">
            Reload to edit their version (your edits here are discarded; copy anything you want to
            keep first).
          </p>
          <a className="button secondary" href={`/campaigns/${campaignId}/edit`}>
            Reload their version
          </a>
        </>
      ) : (
        <>
          <p className="small">Your changes touch other fields, so they can go on top of theirs.</p>
          <div className="stale-actions">
            <button type="submit" name="intent" value="apply" disabled={busy}>
              Apply mine on top
            </button>
            <a className="button secondary" href={`/campaigns/${campaignId}/edit`}>
              Discard mine and reload
            </a>
          </div>
        </>
      )}
    </section>
  );
}

function ChangeTable({
  rows,
}: {
  rows: { key: string; label: string; theirs: string; mine: string }[];
}) {
  if (rows.length === 0) return <p className="muted small">Nothing that this form shows.</p>;
  return (
    <ul className="change-list">
      {rows.map((r) => (
        <li key={r.key}>
          <strong>{r.label}</strong>
          <div className="change-sides">
            <span>
              <span className="muted small">Theirs</span> {r.theirs}
            </span>
            <span>
              <span className="muted small">Yours</span> {r.mine}
            </span>
          </div>
        </li>
      ))}
    </ul>
  );
}
