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
import { RecentlyEmailedDaysSchema } from "@workers/core/engine/schemas";
import { TeamSettingsSchema } from "@workers/core/team";
import { recentlyEmailedDays, saveRecentlyEmailedDays } from "@workers/data/enroll-conflicts";
import { getTeamSettings, saveTeamSettings } from "@workers/data/teams";
import { loadUsageFigure } from "@workers/data/usage";
import { db } from "@workers/db/client";
import { z } from "zod";
import { UsageMeter } from "~/components/usage-meter";
import { Field, FormErrors } from "~/lib/forms";

/** The team settings form: the limits, and how long a recent email holds an enrollment. */
const SettingsFormSchema = TeamSettingsSchema.extend({
  recentlyEmailedDays: z.preprocess(
    (v) => (v === "" || v === undefined ? undefined : Number(v)),
    RecentlyEmailedDaysSchema.optional(),
  ),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  const [settings, usage] = await Promise.all([
    getTeamSettings(env, actor.teamId),
    loadUsageFigure(env, actor.teamId),
  ]);
  const holdDays = await recentlyEmailedDays(db(env), actor.teamId);
  const zones = Intl.supportedValuesOf("timeZone");
  return {
    settings: { ...settings, recentlyEmailedDays: holdDays },
    // The saved zone stays selectable even if this runtime's list lacks it (e.g. "UTC").
    timeZones: zones.includes(settings.timeZone) ? zones : [settings.timeZone, ...zones],
    canEdit: roleAtLeast(actor.role, "admin"),
    usage,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env, "admin");
  const submission = parseWithZod(await request.formData(), { schema: SettingsFormSchema });
  if (submission.status !== "success") return submission.reply();
  const { recentlyEmailedDays: days, ...limits } = submission.value;
  await saveTeamSettings(env, actor.teamId, limits);
  if (days !== undefined) await saveRecentlyEmailedDays(db(env), actor.teamId, days);
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
  const { settings, timeZones, canEdit, usage } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const [form, fields] = useForm({
    lastResult,
    defaultValue: {
      ...settings,
      dailyEmailLimit: String(settings.dailyEmailLimit),
      recentlyEmailedDays: String(settings.recentlyEmailedDays),
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SettingsFormSchema }),
    shouldRevalidate: "onInput",
  });
  return (
    <section className="card settings-section" aria-labelledby="team-settings-heading">
      <h2 id="team-settings-heading" className="card-title">
        Team settings
      </h2>
      <UsageMeter usage={usage} bare />
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
          <Field
            label="Hold back people emailed within (days)"
            meta={fields.recentlyEmailedDays}
            type="number"
            hint="Enrolling someone a teammate emailed this recently asks first (0 turns it off)."
          />
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
