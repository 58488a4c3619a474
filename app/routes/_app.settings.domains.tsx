import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { redirect } from "@remix-run/cloudflare";
import {
  Form,
  useActionData,
  useLoaderData,
  useNavigation,
  useRevalidator,
  useSearchParams,
} from "@remix-run/react";
import { requireMember, roleAtLeast } from "@workers/auth/guards";
import {
  DomainInputSchema,
  domainAdvice,
  domainInProgress,
  domainStatusLabel,
  domainTone,
} from "@workers/core/sending-domains";
import { resendAccount } from "@workers/data/resend-account";
import {
  addDomain,
  checkDomain,
  type DomainDto,
  listDomains,
  refreshStaleDomains,
  removeDomain,
} from "@workers/data/sending-domains";
import { useEffect } from "react";
import { z } from "zod";
import { CopyButton } from "~/lib/copy-button";
import { Field, FormErrors } from "~/lib/forms";
import styles from "~/styles/domains.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  // Polling: statuses Resend is still working on are asked again when they go stale.
  await refreshStaleDomains(env, actor.teamId);
  return {
    domains: await listDomains(env, actor.teamId),
    provider: resendAccount(env) ? "resend" : "sink",
    isAdmin: roleAtLeast(actor.role, "admin"),
  };
}

const DomainIdSchema = z.object({ domainId: z.string().min(1) });
const ADMIN_ONLY = "Only a team owner or admin can add or remove sending domains.";

export async function action({ request, context }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const formData = await request.formData();
  const intent = formData.get("intent");
  if (intent === "check" || intent === "remove") {
    const parsed = DomainIdSchema.safeParse(Object.fromEntries(formData));
    const id = parsed.success ? parsed.data.domainId : "";
    if (intent === "check") {
      const result = parsed.success ? await checkDomain(env, actor.teamId, id) : null;
      if (!result) throw new Response("No such domain in this team.", { status: 404 });
      const error = result.ok ? (result.failure?.message ?? null) : result.failure.message;
      if (error) return { form: null, checkError: { domainId: id, message: error } };
      throw redirect(`/settings/domains?checked=${encodeURIComponent(id)}`);
    }
    const own = (await listDomains(env, actor.teamId)).find((d) => d.id === id);
    if (!own) throw new Response("No such domain in this team.", { status: 404 });
    if (!roleAtLeast(actor.role, "admin")) throw new Response(ADMIN_ONLY, { status: 403 });
    const result = await removeDomain(env, actor.teamId, id);
    if (!result) throw new Response("No such domain in this team.", { status: 404 });
    if (!result.ok)
      return { form: null, checkError: { domainId: id, message: result.failure.message } };
    throw redirect(`/settings/domains?removed=${encodeURIComponent(result.name)}`);
  }
  if (!roleAtLeast(actor.role, "admin")) throw new Response(ADMIN_ONLY, { status: 403 });
  const submission = parseWithZod(formData, { schema: DomainInputSchema });
  if (submission.status !== "success") return { form: submission.reply(), checkError: null };
  const result = await addDomain(env, actor.teamId, submission.value);
  if (!result.ok) {
    return {
      form: submission.reply({ fieldErrors: { name: [result.failure.message] } }),
      checkError: null,
    };
  }
  throw redirect(`/settings/domains?added=${encodeURIComponent(result.domain.id)}`);
}

const timeFormat = new Intl.DateTimeFormat("en-US", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

function RecordsTable({ domain }: { domain: DomainDto }) {
  if (domain.records.length === 0) {
    return <p className="muted small">The email provider has not listed any DNS records yet.</p>;
  }
  return (
    <div className="table-wrap">
      <table className="responsive dns-records">
        <caption className="visually-hidden">DNS records for {domain.name}</caption>
        <thead>
          <tr>
            <th>Type</th>
            <th>Name</th>
            <th>Value</th>
            <th>Purpose</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {domain.records.map((r) => (
            <tr key={`${r.record}-${r.type}-${r.name}-${r.value}`}>
              <td data-label="Type">
                <strong>{r.type}</strong>
                {r.priority !== undefined ? (
                  <span className="muted small"> · priority {r.priority}</span>
                ) : null}
              </td>
              <td data-label="Name">
                <div className="dns-cell">
                  <code>{r.name}</code>
                  <CopyButton text={r.name} />
                </div>
              </td>
              <td data-label="Value">
                <div className="dns-cell">
                  <code className="dns-value">{r.value}</code>
                  <CopyButton text={r.value} />
                </div>
              </td>
              <td data-label="Purpose">{r.record}</td>
              <td data-label="Status">
                {r.status ? (
                  <span className={`badge ${domainTone(r.status)}`}>
                    {domainStatusLabel(r.status)}
                  </span>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DomainCard({
  domain,
  isAdmin,
  highlight,
  checkError,
}: {
  domain: DomainDto;
  isAdmin: boolean;
  highlight: string | null;
  checkError: string | null;
}) {
  const navigation = useNavigation();
  const pending = navigation.state !== "idle" && navigation.formData?.get("domainId") === domain.id;
  const checking = pending && navigation.formData?.get("intent") === "check";
  const headingId = `domain-${domain.id}`;
  return (
    <article className="domain-card" aria-labelledby={headingId}>
      <header className="row-between">
        <div className="domain-name">
          <h3 id={headingId}>{domain.name}</h3>
          <div className="muted small">
            {domain.checkedAt
              ? `Last checked ${timeFormat.format(new Date(domain.checkedAt))} UTC`
              : "Not checked yet"}
          </div>
        </div>
        <span className={`badge ${domainTone(domain.status)}`}>
          {domainStatusLabel(domain.status)}
        </span>
      </header>
      {highlight ? (
        <p className="notice small" role="status">
          {highlight}
        </p>
      ) : null}
      {checkError ? (
        <p className="form-error small" role="alert">
          {checkError}
        </p>
      ) : null}
      <p className="small">{domainAdvice(domain.status)}</p>
      {domain.expiresAt && domain.status !== "lost" ? (
        <p className="muted small">
          {`Unverified claims expire: released ${timeFormat.format(new Date(domain.expiresAt))} UTC unless verified by then.`}
        </p>
      ) : null}
      {domain.status !== "verified" ? <RecordsTable domain={domain} /> : null}
      <div className="actions domain-actions">
        <Form method="post">
          <input type="hidden" name="intent" value="check" />
          <input type="hidden" name="domainId" value={domain.id} />
          <button type="submit" className="secondary" disabled={pending}>
            {checking ? "Checking…" : "Check now"}
          </button>
        </Form>
        {isAdmin ? (
          <Form
            method="post"
            onSubmit={(e) => {
              if (!confirm(`Remove ${domain.name}? Mailboxes on it stop sending.`))
                e.preventDefault();
            }}
          >
            <input type="hidden" name="intent" value="remove" />
            <input type="hidden" name="domainId" value={domain.id} />
            <button type="submit" className="danger" disabled={pending}>
              Remove
            </button>
          </Form>
        ) : null}
      </div>
      {domain.status === "verified" ? (
        <details className="verified-records">
          <summary>DNS records ({domain.records.length})</summary>
          <RecordsTable domain={domain} />
        </details>
      ) : null}
    </article>
  );
}

/** Re-runs the loader (which asks Resend about stale statuses) while Resend is checking. */
function usePolling(active: boolean) {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && revalidator.state === "idle") {
        revalidator.revalidate();
      }
    }, 15_000);
    return () => clearInterval(timer);
  }, [active, revalidator]);
}

export default function SendingDomains() {
  const { domains, provider, isAdmin } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const adding = navigation.state === "submitting" && navigation.formData?.get("intent") === "add";
  const [form, fields] = useForm({
    lastResult: data?.form,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: DomainInputSchema }),
    shouldRevalidate: "onInput",
  });
  usePolling(domains.some((d) => domainInProgress(d.status)));
  const added = params.get("added");
  const checked = params.get("checked");
  const removed = params.get("removed");
  return (
    <section className="card settings-section" aria-labelledby="domains-heading">
      <h2 id="domains-heading" className="card-title">
        Sending domains
      </h2>
      <p className="muted small">
        Mailboxes send from addresses on your team's verified domains. Add a domain, publish the DNS
        records shown at your DNS host, then press Check now. Each mailbox address is then confirmed
        by a link emailed to it. A domain belongs to one team only.
      </p>
      {provider === "sink" ? (
        <div className="notice" role="status">
          No email provider is configured (RESEND_API_KEY is not set): mail goes to the local sink,
          where every mailbox can send. Domains are registered with Resend once a key is set.
        </div>
      ) : null}
      {removed && !data ? (
        <div className="notice" role="status">
          Removed {removed}. Mailboxes on it cannot send any more.
        </div>
      ) : null}
      {provider === "resend" && isAdmin ? (
        <Form method="post" {...getFormProps(form)} className="inline-form add-domain">
          <input type="hidden" name="intent" value="add" />
          <FormErrors errors={form.errors} />
          <Field
            label="Domain (the part after the @ of your addresses)"
            meta={fields.name}
            placeholder="mail.acme.com"
            autoComplete="off"
          />
          <button type="submit" disabled={adding}>
            {adding ? "Adding…" : "Add domain"}
          </button>
        </Form>
      ) : provider === "resend" ? (
        <p className="muted small">Only a team owner or admin can add or remove domains.</p>
      ) : null}
      <div className="stack domain-list">
        {domains.length === 0 ? (
          <p className="muted">No sending domains yet.</p>
        ) : (
          domains.map((d) => (
            <DomainCard
              key={d.id}
              domain={d}
              isAdmin={isAdmin}
              highlight={
                d.id === added
                  ? `Added ${d.name}. Publish these records at your DNS host, then press Check now.`
                  : d.id === checked
                    ? `Checked just now. Status: ${domainStatusLabel(d.status)}.`
                    : null
              }
              checkError={data?.checkError?.domainId === d.id ? data.checkError.message : null}
            />
          ))
        )}
      </div>
    </section>
  );
}
