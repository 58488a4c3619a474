import { errorResponse } from "../http/errors";
import { listAttachments, storeAttachment } from "../tracking/attachments";
import type { ApiRouter } from "./router";

/**
 * Files email stages send as tracked download links (DESIGN.md §1 "Metrics": Downloaded):
 * `POST /api/v1/attachments` (multipart, field `file`, ≤ 10 MB → else 413) answers
 * `{id, name, size, contentType}` to put in a stage's `attachments`; `GET` lists them.
 */
export function registerAttachmentRoutes(api: ApiRouter) {
  api.on("POST", "/api/v1/attachments", async (c) => {
    const type = c.request.headers.get("Content-Type") ?? "";
    if (!type.toLowerCase().startsWith("multipart/form-data")) {
      return errorResponse(
        400,
        "bad_request",
        "Upload the file as multipart/form-data in a field named file.",
      );
    }
    let form: FormData;
    try {
      form = await c.request.formData();
    } catch {
      return errorResponse(400, "bad_request", "The multipart body could not be read.");
    }
    const file = form.get("file");
    if (!(file instanceof File)) {
      return errorResponse(400, "bad_request", "The form has no file in a field named file.", [
        { path: "file", message: "Required" },
      ]);
    }
    const stored = await storeAttachment(c.env, c.actor.teamId, file);
    if (!stored.ok) return errorResponse(stored.status, stored.code, stored.message);
    return Response.json(stored.attachment, { status: 201 });
  });

  api.on("GET", "/api/v1/attachments", async (c) =>
    Response.json({ items: await listAttachments(c.env, c.actor.teamId) }),
  );
}
