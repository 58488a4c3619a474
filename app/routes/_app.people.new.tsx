import { parseWithZod } from "@conform-to/zod/v4";
import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { redirect } from "@remix-run/cloudflare";
import { Link, useActionData } from "@remix-run/react";
import { requireMember } from "@workers/auth/guards";
import { PersonFormSchema } from "@workers/core/people";
import { createPerson } from "@workers/data/people";
import { db } from "@workers/db/client";
import { PersonForm } from "~/lib/person-form";
import styles from "~/styles/people.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "Add person · Beacon" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireMember(request, context.cloudflare.env);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const submission = parseWithZod(await request.formData(), { schema: PersonFormSchema });
  if (submission.status !== "success") return submission.reply();
  const person = await createPerson(db(env), actor.teamId, actor.userId, submission.value);
  throw redirect(`/people/${person.id}?created=1`);
}

export default function NewPerson() {
  const lastResult = useActionData<typeof action>();
  return (
    <div>
      <p className="small">
        <Link to="/people">← People</Link>
      </p>
      <h1>Add person</h1>
      <div className="card">
        <PersonForm id="new-person" lastResult={lastResult} />
      </div>
    </div>
  );
}
