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
import { MailboxInputSchema } from "@workers/core/mailboxes";
import { type MailboxMail, mailboxMail } from "@workers/data/inbound-mail";
import {
  createMailbox,
  listMailboxes,
  type MailboxDto,
  resyncMailbox,
} from "@workers/data/mailboxes";
import { listMembers } from "@workers/data/members";
import { resendAccount } from "@workers/data/resend-account";
import { getTeamSettings } from "@workers/data/teams";
import { z } from "zod";
import { MailItem } from "~/components/inbound-mail";
import { CopyButton } from "~/lib/copy-button";
import { Field, FormErrors } from "~/lib/forms";
import mailStyles from "~/styles/inbound-mail.css?url";
import styles from "~/styles/settings.css?url";

export const meta: MetaFunction = () => [{ title: "Mailboxes · Beacon" }];
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "stylesheet", href: mailStyles },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const [mailboxes, members, settings] = await Promise.all([
    listMailboxes(env, actor.teamId),
    listMembers(env, actor.teamId),
    getTeamSettings(env, actor.teamId),
  ]);
  const mail = await mailboxMail(
    env,
    actor.teamId,
    mailboxes.map((m) => m.id),
  );
  const names = new Map(members.map((m) => [m.userId, m.name]));
  const url = new URL(request.url);
  return {
    mailboxes: mailboxes.map((m) => ({
      ...m,
      ownerName: names.get(m.userId) ?? "a former member",
      mail: mail.get(m.id) ?? { received: false, latest: [] },
    })),
    timeZone: settings.timeZone,
    userId: actor.userId,
    provider: resendAccount(env) ? "resend" : "sink",
    added: url.searchParams.get("added"),
    resynced: url.searchParams.get("resynced"),
  };
}

const ResyncSchema = z.object({ mailboxId: z.string().min(1) });

export async function action({ request, context }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const formData = await request.formData();
  if (formData.get("intent") === "resync") {
    const parsed = ResyncSchema.safeParse(Object.fromEntries(formData));
    const mailbox = parsed.success
      ? await resyncMailbox(env, actor.teamId, parsed.data.mailboxId)
      : null;
    if (!mailbox) throw new Response("No such mailbox in this team.", { status: 404 });
    throw redirect(`/mailboxes?resynced=${encodeURIComponent(mailbox.id)}`);
  }
  const submission = parseWithZod(formData, { schema: MailboxInputSchema });
  if (submission.status !== "success") return submission.reply();
  const result = await createMailbox(env, actor, submission.value);
  if (!result.ok) return submission.reply({ fieldErrors: { address: [result.message] } });
  throw redirect(`/mailboxes?added=${encodeURIComponent(result.mailbox.id)}`);
}

function Check({ ok, yes, no }: { ok: boolean; yes: string; no: string }) {
  return (
    <li className={ok ? "check" : "check no"}>
      <span className="mark" aria-hidden="true">
        {ok ? "✓" : "✕"}
      </span>
      {ok ? yes : no}
    </li>
  );
}

/**
 * Captures replies: green once mail for the mailbox has reached Beacon; until then it is
 * set up (an inbound domain exists) but unproven, which is not a problem to fix.
 */
function CapturesCheck({ configured, received }: { configured: boolean; received: boolean }) {
  if (!configured || received) {
    return <Check ok={configured} yes="Captures replies" no="Does not capture replies" />;
  }
  return (
    <li className="check pending" title="Green once the first reply or synced mail arrives">
      <span className="mark" aria-hidden="true">
        …
      </span>
      Captures replies: no mail has arrived yet
    </li>
  );
}

/** The latest mail at the sync address, so a forwarding confirmation code can be read here. */
function SyncMail({ mail, timeZone, id }: { mail: MailboxMail; timeZone: string; id: string }) {
  return (
    <section className="sync-mail" aria-labelledby={`sync-mail-${id}`}>
      <h3 id={`sync-mail-${id}`}>Latest mail received at the sync address</h3>
      {mail.latest.length === 0 ? (
        <p className="muted small">
          Nothing yet. When you set up forwarding, your mail provider sends a confirmation (often
          with a code) to this address: it shows here.
        </p>
      ) : (
        <ul className="mail-list">
          {mail.latest.map((m) => (
            <MailItem key={m.id} mail={m} timeZone={timeZone} />
          ))}
        </ul>
      )}
    </section>
  );
}

function MailboxCard({
  mailbox,
  resynced,
  provider,
  timeZone,
}: {
  mailbox: MailboxDto & { ownerName: string; mail: MailboxMail };
  resynced: boolean;
  provider: string;
  timeZone: string;
}) {
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formData?.get("mailboxId") === mailbox.id;
  const broken = !mailbox.canSend || !mailbox.capturesReplies;
  const awaitingLink = mailbox.confirmationSentAt !== null && mailbox.confirmedAt === null;
  return (
    <article className="card mailbox-card" aria-label={mailbox.address}>
      <header>
        <div className="who">
          <div className="address">{mailbox.address}</div>
          <div className="muted small">
            Sends as “{mailbox.name}” · owned by {mailbox.ownerName}
            {mailbox.dailyCap ? ` · at most ${mailbox.dailyCap.toLocaleString("en-US")} a day` : ""}
          </div>
        </div>
        {broken ? (
          <span className="badge warn">Needs attention</span>
        ) : (
          <span className="badge ok">Ready</span>
        )}
      </header>
      <ul className="checks">
        <Check ok={mailbox.canSend} yes="Can send" no="Cannot send" />
        {provider === "resend" ? (
          <Check
            ok={mailbox.confirmedAt !== null}
            yes="Address confirmed"
            no="Address not confirmed"
          />
        ) : null}
        <CapturesCheck configured={mailbox.capturesReplies} received={mailbox.mail.received} />
      </ul>
      {resynced && !broken ? (
        <p className="small muted">Checked again just now: all good.</p>
      ) : null}
      {broken ? (
        <div className="warning" role="alert">
          <p>
            {mailbox.problem ?? "This mailbox has a problem."}
            {resynced ? " (checked again just now)" : ""}
          </p>
          <div className="actions">
            {provider === "resend" && !mailbox.canSend ? (
              <Link to="/settings/domains" className="button secondary">
                Sending domains
              </Link>
            ) : null}
            <Form method="post">
              <input type="hidden" name="intent" value="resync" />
              <input type="hidden" name="mailboxId" value={mailbox.id} />
              <button type="submit" className="secondary" disabled={busy}>
                {busy ? "Checking…" : awaitingLink ? "Resync and resend the link" : "Resync"}
              </button>
            </Form>
          </div>
        </div>
      ) : null}
      {mailbox.syncAddress ? (
        <div className="sync">
          <label htmlFor={`sync-${mailbox.id}`}>Sync address</label>
          <div className="copy-box">
            <code id={`sync-${mailbox.id}`}>{mailbox.syncAddress}</code>
            <CopyButton text={mailbox.syncAddress} />
          </div>
          <p className="muted small">
            Forward your inbox to it and BCC it on mail you send yourself: both directions are then
            logged on the matching person's profile.
          </p>
          <SyncMail mail={mailbox.mail} timeZone={timeZone} id={mailbox.id} />
        </div>
      ) : null}
    </article>
  );
}

function AddMailboxForm({ provider }: { provider: string }) {
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === "add";
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: MailboxInputSchema }),
    shouldRevalidate: "onInput",
  });
  return (
    <Form method="post" {...getFormProps(form)} className="card">
      <h2 className="card-title">Add a mailbox</h2>
      <p className="muted small">
        {provider === "resend" ? (
          <>
            It can send once its domain is verified under{" "}
            <Link to="/settings/domains">Settings → Sending domains</Link> and the address is
            confirmed through the link we email to it.
          </>
        ) : (
          "Mail goes to the local sink here, so any address can send."
        )}
      </p>
      <input type="hidden" name="intent" value="add" />
      <FormErrors errors={form.errors} />
      <Field
        label="Email address"
        meta={fields.address}
        type="email"
        placeholder="jane@acme.com"
        autoComplete="off"
      />
      <Field label="Sender name" meta={fields.name} placeholder="Jane Doe" />
      <Field
        label="Daily cap (optional)"
        meta={fields.dailyCap}
        type="number"
        hint="Your email host's own daily limit, if it has one."
      />
      <button type="submit" disabled={busy}>
        {busy ? "Adding…" : "Add mailbox"}
      </button>
    </Form>
  );
}

export default function Mailboxes() {
  const { mailboxes, provider, added, resynced, timeZone } = useLoaderData<typeof loader>();
  const addedBox = added ? mailboxes.find((m) => m.id === added) : undefined;
  return (
    <div>
      <h1>Mailboxes</h1>
      {addedBox ? (
        <div className="notice" role="status">
          Added {addedBox.address}.
          {addedBox.canSend ? "" : " It is saved but cannot send yet: see what to do on its card."}
        </div>
      ) : null}
      <div className="side-layout">
        <section aria-label="Mailboxes" className="stack">
          {mailboxes.length === 0 ? (
            <div className="card muted">
              No mailboxes yet. Add the address your campaigns send from.
            </div>
          ) : (
            mailboxes.map((m) => (
              <MailboxCard
                key={m.id}
                mailbox={m}
                resynced={m.id === resynced}
                provider={provider}
                timeZone={timeZone}
              />
            ))
          )}
        </section>
        <aside className="side-form">
          <AddMailboxForm provider={provider} />
        </aside>
      </div>
    </div>
  );
}
