import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { requireMember } from "@workers/auth/guards";
import { listAttachments, storeAttachment } from "@workers/tracking/attachments";

const problem = (status: number, message: string) =>
  Response.json({ error: { message } }, { status, headers: { "Cache-Control": "no-store" } });

/**
 * The attachment picker's upload (a resource route, session auth): one file in the
 * multipart field `file`, ≤ 10 MB (413 above), stored as POST /api/v1/attachments stores it.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  if (request.method !== "POST") return problem(405, "Upload with POST.");
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return problem(400, "The upload could not be read; choose the file again.");
  }
  const file = form.get("file");
  if (!(file instanceof File)) return problem(400, "Choose a file to attach.");
  const stored = await storeAttachment(env, actor.teamId, file);
  if (!stored.ok) return problem(stored.status, stored.message);
  return Response.json(stored.attachment, { status: 201 });
}

/** The team's uploaded files, for the picker to offer again. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const env = context.cloudflare.env;
  const actor = await requireMember(request, env);
  return Response.json(
    { items: await listAttachments(env, actor.teamId, 50) },
    { headers: { "Cache-Control": "no-store" } },
  );
}
