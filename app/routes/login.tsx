import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { data, redirect } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { getSession } from "@workers/auth/guards";
import { retryAfterSeconds } from "@workers/core/rate-limit";
import { safeRedirect } from "@workers/core/safe-redirect";
import { readFormCapped } from "@workers/http/forms";
import { z } from "zod";
import { signIn } from "~/lib/auth.server";
import { Field, FormErrors } from "~/lib/forms";

export const meta: MetaFunction = () => [{ title: "Sign in · Beacon" }];

const LoginSchema = z.object({
  email: z.email("Enter your email address"),
  password: z.string({ error: "Enter your password" }).min(1, "Enter your password"),
  redirectTo: z.string().optional(),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await getSession(request, context.cloudflare.env);
  if (session) throw redirect("/people");
  return null;
}

/** A refused attempt's `Retry-After` reaches the document response too. */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readFormCapped(request);
  if (form instanceof Response) throw form;
  const submission = parseWithZod(form, { schema: LoginSchema });
  if (submission.status !== "success") return submission.reply({ hideFields: ["password"] });
  const result = await signIn(context.cloudflare.env, request, {
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

export default function Login() {
  const lastResult = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state !== "idle";
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: LoginSchema }),
    shouldRevalidate: "onInput",
  });
  return (
    <main className="auth-page">
      <div className="card auth-card">
        <div className="brand">Beacon</div>
        <h1>Sign in</h1>
        <Form method="post" {...getFormProps(form)}>
          <FormErrors errors={form.errors} />
          <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />
          <Field label="Email" meta={fields.email} type="email" autoComplete="email" />
          <Field
            label="Password"
            meta={fields.password}
            type="password"
            autoComplete="current-password"
          />
          <button type="submit" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </Form>
        <p className="muted small">
          New to Beacon? <Link to="/signup">Create an account</Link>
        </p>
      </div>
    </main>
  );
}
