import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData } from "@remix-run/react";
import { requireUser } from "@workers/auth/guards";
import { TeamNameSchema } from "@workers/core/team";
import { createTeam } from "@workers/data/teams";
import { z } from "zod";
import { switchTeam } from "~/lib/auth.server";
import { Field } from "~/lib/forms";

export const meta: MetaFunction = () => [{ title: "New team · Beacon" }];

const NewTeamSchema = z.object({ name: TeamNameSchema });

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context.cloudflare.env);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  const session = await requireUser(request, env);
  const submission = parseWithZod(await request.formData(), { schema: NewTeamSchema });
  if (submission.status !== "success") return submission.reply();
  const teamId = await createTeam(env, session.user.id, submission.value.name);
  throw await switchTeam(env, request, teamId, "/people");
}

export default function NewTeam() {
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: NewTeamSchema }),
  });
  return (
    <main className="auth-page">
      <div className="card auth-card">
        <div className="brand">Beacon</div>
        <h1>Create a team</h1>
        <p className="muted">
          A team shares people, campaigns, mailboxes and the daily email limit.
        </p>
        <Form method="post" {...getFormProps(form)}>
          <Field label="Team name" meta={fields.name} />
          <button type="submit">Create team</button>
        </Form>
        <p className="small">
          <Link to="/people">Back</Link>
        </p>
      </div>
    </main>
  );
}
