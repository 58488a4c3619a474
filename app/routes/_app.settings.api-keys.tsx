import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { redirect } from "@remix-run/cloudflare";
import { Form, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { createApiKey, listApiKeys, revokeApiKey } from "@workers/auth/api-keys";
import { requireMember, roleAtLeast } from "@workers/auth/guards";
import { ApiKeyNameSchema } from "@workers/core/settings";
import { listMembers } from "@workers/data/members";
import { db } from "@workers/db/client";
import { z } from "zod";
import { CopyButton } from "~/lib/copy-button";
import { Field, FormErrors } from "~/lib/forms";
import { useActionNotice } from "~/lib/use-action-notice";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const [keys, members] = await Promise.all([
    listApiKeys(db(env), actor.teamId),
    listMembers(env, actor.teamId),
  ]);
  const names = new Map(members.map((m) => [m.userId, m.name]));
  const isAdmin = roleAtLeast(actor.role, "admin");
  return {
    keys: keys.map((k) => ({
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      createdAt: k.createdAt.toISOString(),
      by: names.get(k.userId) ?? "a former member",
      // A member revokes their own keys; an admin or owner revokes any.
      canRevoke: isAdmin || k.userId === actor.userId,
    })),
  };
}

const RevokeSchema = z.object({ keyId: z.string().min(1) });

export async function action({ request, context }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const formData = await request.formData();
  if (formData.get("intent") === "revoke") {
    const parsed = RevokeSchema.safeParse(Object.fromEntries(formData));
    const keys = await listApiKeys(db(env), actor.teamId);
    const key = parsed.success ? keys.find((k) => k.id === parsed.data.keyId) : undefined;
    if (!key) throw new Response("No such API key in this team.", { status: 404 });
    if (key.userId !== actor.userId && !roleAtLeast(actor.role, "admin")) {
      throw new Response("Only an admin or owner can revoke another member's key.", {
        status: 403,
      });
    }
    await revokeApiKey(db(env), actor.teamId, key.id);
    throw redirect(`/settings/api-keys?revoked=${encodeURIComponent(key.name)}`);
  }
  const submission = parseWithZod(formData, { schema: ApiKeyNameSchema });
  if (submission.status !== "success") return { result: submission.reply(), created: null };
  const created = await createApiKey(db(env), {
    teamId: actor.teamId,
    userId: actor.userId,
    name: submission.value.name,
  });
  return {
    result: submission.reply({ resetForm: true }),
    created: { name: submission.value.name, key: created.key },
  };
}

const dateFormat = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });

export default function ApiKeys() {
  const { keys } = useLoaderData<typeof loader>();
  const data = useActionNotice<typeof action>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const creating =
    navigation.state === "submitting" && navigation.formData?.get("intent") === "create";
  const [form, fields] = useForm({
    lastResult: data?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ApiKeyNameSchema }),
  });
  const revoked = params.get("revoked");
  return (
    <section className="card settings-section" aria-labelledby="api-keys-heading">
      <h2 id="api-keys-heading" className="card-title">
        API keys
      </h2>
      <p className="muted small">
        A key acts for this team as the member who made it: what it creates is theirs. Send it as{" "}
        <code>Authorization: Bearer &lt;key&gt;</code> to <code>/api/v1</code>.
      </p>
      {data?.created ? (
        <div className="secret-notice" role="status">
          <p>
            <strong>“{data.created.name}” is ready.</strong> Copy the key now: it is shown only this
            once and Beacon keeps only a hash of it.
          </p>
          <div className="copy-box">
            <code>{data.created.key}</code>
            <CopyButton text={data.created.key} />
          </div>
        </div>
      ) : null}
      {revoked && !data ? (
        <div className="notice" role="status">
          Revoked “{revoked}”. Requests with it now get 401.
        </div>
      ) : null}
      <Form method="post" {...getFormProps(form)} className="inline-form">
        <input type="hidden" name="intent" value="create" />
        <FormErrors errors={form.errors} />
        <Field label="New key's name" meta={fields.name} placeholder="Zapier" autoComplete="off" />
        <button type="submit" disabled={creating}>
          {creating ? "Creating…" : "Create key"}
        </button>
      </Form>
      {keys.length === 0 ? (
        <p className="muted">No API keys yet.</p>
      ) : (
        <div className="table-wrap" style={{ marginTop: "1rem" }}>
          <table className="responsive">
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>Created</th>
                <th>By</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <td data-label="Name">
                    <strong>{k.name}</strong>
                  </td>
                  <td data-label="Key">
                    <code>{k.prefix}…</code>
                  </td>
                  <td data-label="Created">{dateFormat.format(new Date(k.createdAt))}</td>
                  <td data-label="By">{k.by}</td>
                  <td>
                    {k.canRevoke ? (
                      <Form
                        method="post"
                        onSubmit={(e) => {
                          if (!confirm(`Revoke “${k.name}”? Anything using it stops working.`)) {
                            e.preventDefault();
                          }
                        }}
                      >
                        <input type="hidden" name="intent" value="revoke" />
                        <input type="hidden" name="keyId" value={k.id} />
                        <button type="submit" className="danger">
                          Revoke
                        </button>
                      </Form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
