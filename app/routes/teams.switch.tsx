import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { redirect } from "@remix-run/cloudflare";
import { requireUser } from "@workers/auth/guards";
import { safeRedirect } from "@workers/core/safe-redirect";
import { readFormCapped } from "@workers/http/forms";
import { z } from "zod";
import { switchTeam } from "~/lib/auth.server";

const SwitchSchema = z.object({ teamId: z.string().min(1), to: z.string().optional() });

export async function loader() {
  return redirect("/people");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  await requireUser(request, env);
  const form = await readFormCapped(request);
  if (form instanceof Response) throw form;
  const parsed = SwitchSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) return redirect("/people");
  return switchTeam(env, request, parsed.data.teamId, safeRedirect(parsed.data.to));
}
