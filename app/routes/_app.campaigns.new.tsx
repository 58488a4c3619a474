import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { redirect } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireMember } from "@workers/auth/guards";
import { blankCampaignForm, CampaignFormSchema } from "@workers/core/campaign-form";
import { listMailboxes } from "@workers/data/mailboxes";
import { CampaignFormSections } from "~/components/campaign-form-sections";
import { checkCampaignReferences, createCampaign, teamJobs } from "~/lib/campaigns.server";
import { FormErrors } from "~/lib/forms";
import styles from "~/styles/campaigns.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "New campaign · Beacon" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const [mailboxes, jobs] = await Promise.all([
    listMailboxes(env, actor.teamId),
    teamJobs(env, actor.teamId),
  ]);
  return {
    mailboxes: mailboxes.map((m) => ({
      id: m.id,
      label: `${m.name} <${m.address}>`,
      canSend: m.canSend,
    })),
    jobs,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const submission = parseWithZod(await request.formData(), { schema: CampaignFormSchema });
  if (submission.status !== "success") return submission.reply();
  const issues = await checkCampaignReferences(env, actor.teamId, submission.value);
  if (issues.length > 0) {
    const fieldErrors: Record<string, string[]> = {};
    for (const i of issues) fieldErrors[i.name] = [...(fieldErrors[i.name] ?? []), i.message];
    return submission.reply({ fieldErrors });
  }
  const view = await createCampaign(env, actor, submission.value);
  throw redirect(`/campaigns/${view.id}?created=1`);
}

export default function NewCampaign() {
  const { mailboxes, jobs } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const [form, fields] = useForm({
    lastResult,
    defaultValue: blankCampaignForm(),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: CampaignFormSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  return (
    <div className="campaign-new">
      <p className="small">
        <Link to="/campaigns">← Campaigns</Link>
      </p>
      <h1>New campaign</h1>
      <Form method="post" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <CampaignFormSections form={form} fields={fields} mailboxes={mailboxes} jobs={jobs} />

        <div className="form-actions">
          <button type="submit" name={fields.status.name} value="active" disabled={busy}>
            {busy ? "Creating…" : "Create and start"}
          </button>
          <button
            type="submit"
            name={fields.status.name}
            value="draft"
            className="secondary"
            disabled={busy}
          >
            Save as draft
          </button>
          <Link to="/campaigns">Cancel</Link>
        </div>
      </Form>
    </div>
  );
}
