import { errorResponse } from "../http/errors";
import { readCapped } from "../http/read-capped";

/**
 * The request's raw body as text, read up to `maxBytes`; throws a 413 Response past it
 * (declared or actually sent), so a handler can simply await it. A signature is computed
 * over these exact bytes, so nothing is parsed here.
 */
export async function readBoundedBody(
  request: Request,
  maxBytes: number,
  what = "The request body",
): Promise<string> {
  const tooLarge = () =>
    errorResponse(413, "payload_too_large", `${what} is larger than ${maxBytes / 1024} KiB.`);
  if (Number(request.headers.get("Content-Length") ?? "0") > maxBytes) throw tooLarge();
  if (!request.body) return "";
  const bytes = await readCapped(request.body, maxBytes);
  if (bytes === null) throw tooLarge();
  return new TextDecoder().decode(bytes);
}
