import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "@workers/auth/guards";
import { confirmMailbox } from "@workers/data/mailboxes";
import styles from "~/styles/domains.css?url";

export const meta: MetaFunction = () => [{ title: "Confirm a mailbox · Beacon" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/**
 * The link emailed to a mailbox's address. Opening it signed in as a member of the
 * mailbox's team confirms the address; signed out, requireUser sends the user to sign in
 * and back here. A link scanner has no session, so it confirms nothing.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const session = await requireUser(request, env);
  const result = await confirmMailbox(env, session.user.id, params.token ?? "");
  if (result.kind === "not_found") {
    throw new Response(
      "This confirmation link is unknown, was replaced by a newer one, or belongs to a team you are not a member of.",
      { status: 404 },
    );
  }
  if (result.kind === "expired") return { kind: "expired" as const, address: result.address };
  return {
    kind: "confirmed" as const,
    already: result.already,
    address: result.mailbox.address,
    canSend: result.mailbox.canSend,
    problem: result.mailbox.problem,
    teamName: result.teamName,
  };
}

export default function ConfirmMailbox() {
  const data = useLoaderData<typeof loader>();
  if (data.kind === "expired") {
    return (
      <div className="card confirm-card">
        <h1>This link has expired</h1>
        <p>
          Confirmation links for {data.address} work for 7 days. Press Resync on the mailbox to
          email a new one.
        </p>
        <Link to="/mailboxes" className="button">
          Go to Mailboxes
        </Link>
      </div>
    );
  }
  return (
    <div className="card confirm-card">
      <h1>
        {data.already ? `${data.address} was already confirmed` : `Confirmed ${data.address}`}
      </h1>
      <p>
        The address is confirmed for the team “{data.teamName}”.{" "}
        {data.canSend ? "Campaigns can send from it now." : "It cannot send yet:"}
      </p>
      {!data.canSend && data.problem ? (
        <p className="notice" role="alert">
          {data.problem}
        </p>
      ) : null}
      <Link to="/mailboxes" className="button">
        Go to Mailboxes
      </Link>
    </div>
  );
}
