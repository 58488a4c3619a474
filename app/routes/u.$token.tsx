import type {
  ActionFunctionArgs,
  HeadersFunction,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { data } from "@remix-run/cloudflare";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  findUnsubscribeTarget,
  UnsubscribePostSchema,
  unsubscribe,
} from "@workers/data/unsubscribe";
import { readFormCapped } from "@workers/http/forms";
import styles from "~/styles/unsubscribe.css?url";

/**
 * The public unsubscribe page of every email (DESIGN.md §2 `/u/*`). No sign-in: the signed
 * token is the authority. GET only asks (link scanners follow GETs); POST — the page's
 * button or RFC 8058 one-click from a mail app, with no cookie, Origin or JavaScript —
 * unsubscribes and answers 200 with this page, never a redirect.
 */

// The token in the URL is a capability: keep it out of caches, indexes and Referer headers.
const PRIVATE = {
  "Cache-Control": "no-store",
  "X-Robots-Tag": "noindex",
  "Referrer-Policy": "no-referrer",
};

type View =
  | { state: "confirm"; address: string; teamName: string; unclearPost?: true }
  | { state: "done"; address: string; teamName: string }
  | { state: "invalid" };

const invalid = () => data<View>({ state: "invalid" }, { status: 404, headers: PRIVATE });

export async function loader({ params, context }: LoaderFunctionArgs) {
  const target = await findUnsubscribeTarget(context.cloudflare.env, params.token ?? "");
  if (!target) return invalid();
  return data<View>(
    { state: "confirm", address: target.claim.e, teamName: target.teamName },
    { headers: PRIVATE },
  );
}

async function readForm(request: Request): Promise<Record<string, string>> {
  const form = await readFormCapped(request);
  if (form instanceof Response) {
    if (form.status === 413) throw form;
    // Not a form body at all: it asks for nothing, like an empty form.
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of form) if (typeof v === "string") out[k] = v;
  return out;
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  const token = params.token ?? "";
  const asked = UnsubscribePostSchema.safeParse(await readForm(request));
  if (!asked.success) {
    const target = await findUnsubscribeTarget(env, token);
    if (!target) return invalid();
    return data<View>(
      { state: "confirm", address: target.claim.e, teamName: target.teamName, unclearPost: true },
      { status: 400, headers: PRIVATE },
    );
  }
  const result = await unsubscribe(env, token, asked.data);
  if (!result.ok) return invalid();
  return data<View>(
    { state: "done", address: result.address, teamName: result.teamName },
    { headers: PRIVATE },
  );
}

export const headers: HeadersFunction = () => PRIVATE;

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction<typeof loader> = ({ data: view }) => [
  {
    title: view && view.state !== "invalid" ? `Unsubscribe · ${view.teamName}` : "Unsubscribe link",
  },
  { name: "robots", content: "noindex, nofollow" },
  { name: "referrer", content: "no-referrer" },
];

function Invalid() {
  return (
    <>
      <h1>This unsubscribe link is not valid</h1>
      <p>
        It may have been cut short or changed when it was copied. Nothing was changed. Open the link
        again from the email itself, or reply to the email and ask to be removed.
      </p>
    </>
  );
}

export default function Unsubscribe() {
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const view: View = acted ?? loaded;
  const busy = useNavigation().state !== "idle";
  return (
    <main className="auth-page">
      <div className="card auth-card unsubscribe-card">
        {view.state === "invalid" ? (
          <Invalid />
        ) : view.state === "done" ? (
          <>
            <h1>You're unsubscribed</h1>
            <p>
              <strong className="unsubscribe-address">{view.address}</strong> will not receive any
              more emails from {view.teamName}.
            </p>
            <p className="muted small">You can close this page.</p>
          </>
        ) : (
          <>
            <h1>
              Unsubscribe <span className="unsubscribe-address">{view.address}</span> from{" "}
              {view.teamName}'s emails?
            </h1>
            {view.unclearPost ? (
              <p className="form-error" role="alert">
                Nothing was changed yet. Press the button to unsubscribe.
              </p>
            ) : null}
            <p className="muted">You will not receive any more emails from {view.teamName}.</p>
            <Form method="post" replace>
              <button type="submit" name="intent" value="unsubscribe" disabled={busy}>
                {busy ? "Unsubscribing…" : "Unsubscribe"}
              </button>
            </Form>
          </>
        )}
      </div>
    </main>
  );
}
