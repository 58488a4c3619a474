import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, HeadersFunction, MetaFunction } from "@remix-run/cloudflare";
import { data } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { retryAfterSeconds } from "@workers/core/rate-limit";
import { safeRedirect } from "@workers/core/safe-redirect";
import { TeamNameSchema } from "@workers/core/team";
import { readFormCapped } from "@workers/http/forms";
import { z } from "zod";
import { signUp } from "~/lib/auth.server";
import { Field, FormErrors } from "~/lib/forms";

export const meta: MetaFunction = () => [{ title: "Create an account · Beacon" }];

const SignUpSchema = z.object({
  name: z.string({ error: "Enter your name" }).trim().min(1, "Enter your name").max(100),
  email: z.email("Enter a valid email address"),
  password: z
    .string({ error: "Choose a password" })
    .min(8, "Use at least 8 characters")
    .max(128, "At most 128 characters"),
  teamName: TeamNameSchema,
  redirectTo: z.string().optional(),
});

/** A refused attempt's `Retry-After` reaches the document response too. */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readFormCapped(request);
  if (form instanceof Response) throw form;
  const submission = parseWithZod(form, { schema: SignUpSchema });
  if (submission.status !== "success") return submission.reply({ hideFields: ["password"] });
  const result = await signUp(context.cloudflare.env, request, {
    ...submission.value,
    redirectTo: safeRedirect(submission.value.redirectTo),
  });
  if (!result.ok) {
    const reply = submission.reply({ formErrors: [result.message], hideFields: ["password"] });
    if (result.retryAfterMs === undefined) return reply;
    const retryAfter = String(retryAfterSeconds(result.retryAfterMs));
    return data(reply, { status: 429, headers: { "Retry-After": retryAfter } });
  }
  throw result.response;
}

export default function SignUp() {
  const lastResult = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const [params] = useSearchParams();
  const redirectTo = params.get("redirectTo");
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SignUpSchema }),
    shouldRevalidate: "onInput",
  });
  return (
    <main className="auth-page">
      <div className="card auth-card">
        <div className="brand">Beacon</div>
        <h1>Create your account</h1>
        <Form method="post" {...getFormProps(form)}>
          <FormErrors errors={form.errors} />
          <input type="hidden" name="redirectTo" value={redirectTo ?? ""} />
          <Field label="Your name" meta={fields.name} autoComplete="name" />
          <Field label="Work email" meta={fields.email} type="email" autoComplete="email" />
          <Field
            label="Password"
            meta={fields.password}
            type="password"
            autoComplete="new-password"
          />
          <Field label="Team name" meta={fields.teamName} placeholder="Acme Recruiting" />
          <button type="submit" disabled={busy}>
            {busy ? "Creating…" : "Create account"}
          </button>
        </Form>
        <p className="muted small">
          Already have an account?{" "}
          <Link to={redirectTo ? `/login?redirectTo=${encodeURIComponent(redirectTo)}` : "/login"}>
            Sign in
          </Link>
        </p>
      </div>
    </main>
  );
}
