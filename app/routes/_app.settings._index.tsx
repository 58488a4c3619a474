import { getFormProps, getInputProps, getSelectProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { redirect } from "@remix-run/cloudflare";
import {
  Form,
  useActionData,
  useLoaderData,
  useNavigation,
  useSearchParams,
} from "@remix-run/react";
import { requireMember, roleAtLeast } from "@workers/auth/guards";
import { TeamSettingsSchema } from "@workers/core/team";
import { getTeamSettings, saveTeamSettings } from "@workers/data/teams";
import { Field, FormErrors } from "~/lib/forms";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const settings = await getTeamSettings(env, actor.teamId);
  const zones = Intl.supportedValuesOf("timeZone");
  return {
    settings,
    // The saved zone stays selectable even if this runtime's list lacks it (e.g. "UTC").
    timeZones: zones.includes(settings.timeZone) ? zones : [settings.timeZone, ...zones],
    canEdit: roleAtLeast(actor.role, "admin"),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env, "admin");
  const submission = parseWithZod(await request.formData(), { schema: TeamSettingsSchema });
  if (submission.status !== "success") return submission.reply();
  await saveTeamSettings(env, actor.teamId, submission.value);
  throw redirect("/settings?saved=1");
}

const POLICIES = [
  {
    value: "defer",
    title: "Wait for the next day's allowance",
    detail: "Over-limit emails wait as Pending (throttled) and go out by themselves.",
  },
  {
    value: "fail",
    title: "Fail the email",
    detail: "Over-limit emails are marked Failed (email limit); nothing is retried for you.",
  },
] as const;

export default function TeamSettings() {
  const { settings, timeZones, canEdit } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const [form, fields] = useForm({
    lastResult,
    defaultValue: { ...settings, dailyEmailLimit: String(settings.dailyEmailLimit) },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: TeamSettingsSchema }),
    shouldRevalidate: "onInput",
  });
  return (
    <section className="card settings-section" aria-labelledby="team-settings-heading">
      <h2 id="team-settings-heading" className="card-title">
        Team settings
      </h2>
      {params.get("saved") && !lastResult ? (
        <div className="notice" role="status">
          Saved.
        </div>
      ) : null}
      {canEdit ? null : (
        <p className="notice">Only an admin or owner of the team can change these.</p>
      )}
      <Form method="post" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <fieldset disabled={!canEdit}>
          <div className="grid-2">
            <div className="field">
              <label htmlFor={fields.timeZone.id}>Time zone</label>
              <select {...getSelectProps(fields.timeZone)} key={fields.timeZone.key}>
                {timeZones.map((z) => (
                  <option key={z} value={z}>
                    {z.replaceAll("_", " ")}
                  </option>
                ))}
              </select>
              {fields.timeZone.errors ? (
                <div className="field-error">{fields.timeZone.errors.join(" ")}</div>
              ) : (
                <div className="muted small">
                  Where the day starts for the daily limit, and the sending window for people
                  without their own time zone.
                </div>
              )}
            </div>
            <Field
              label="Daily email limit"
              meta={fields.dailyEmailLimit}
              type="number"
              hint="Shared by every campaign of the team."
            />
          </div>
          <div className="field">
            <span className="label" id="on-limit-label">
              When the limit is reached
            </span>
            <div className="radio-row" role="radiogroup" aria-labelledby="on-limit-label">
              {POLICIES.map((p) => (
                <label key={p.value}>
                  <input
                    {...getInputProps(fields.onLimit, { type: "radio", value: p.value })}
                    key={`${fields.onLimit.key}-${p.value}`}
                  />
                  <span>
                    <strong>{p.title}</strong>
                    <br />
                    <span className="muted small">{p.detail}</span>
                  </span>
                </label>
              ))}
            </div>
            {fields.onLimit.errors ? (
              <div className="field-error">{fields.onLimit.errors.join(" ")}</div>
            ) : null}
          </div>
          {canEdit ? (
            <button type="submit" disabled={busy}>
              {busy ? "Saving…" : "Save settings"}
            </button>
          ) : null}
        </fieldset>
      </Form>
    </section>
  );
}
