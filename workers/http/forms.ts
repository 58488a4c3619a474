import { readCapped } from "./read-capped";

/** Every HTML form of ours fits in 64 KiB (issue #11 item 4). */
export const FORM_MAX_BYTES = 64 * 1024;

function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

/** The 413 a page shows: plain text, which Remix's error boundary prints as the message. */
export function formTooLarge(maxBytes = FORM_MAX_BYTES): Response {
  return new Response(
    `This form is larger than ${kib(maxBytes)}, so it was not read. Shorten what you typed and send it again.`,
    {
      status: 413,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    },
  );
}

/**
 * The request's body, read at most `maxBytes` (a larger Content-Length is refused unread;
 * a chunked body is counted as it arrives), or null when it is larger.
 */
export async function readBodyCapped(
  request: Request,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = Number(request.headers.get("Content-Length") ?? "");
  if (Number.isFinite(declared) && declared > maxBytes) {
    await request.body?.cancel();
    return null;
  }
  if (!request.body) return new Uint8Array(0);
  const bytes = await readCapped(request.body, maxBytes);
  if (bytes === null) return null;
  // readCapped allocates a plain ArrayBuffer; say so to the type without copying.
  return bytes.buffer instanceof ArrayBuffer
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : new Uint8Array(bytes);
}

/**
 * A copy of `request` whose body is already in memory (at most `maxBytes`), so whatever
 * reads it later cannot buffer more; null when the body is larger.
 */
export async function withBodyCapped(request: Request, maxBytes: number): Promise<Request | null> {
  if (!request.body) return request;
  const bytes = await readBodyCapped(request, maxBytes);
  if (bytes === null) return null;
  return new Request(request, { body: bytes });
}

/**
 * The request's form (urlencoded or multipart) read at most `maxBytes`: a 413 Response when
 * larger, a 400 Response when the body is not a form.
 */
export async function readFormCapped(
  request: Request,
  maxBytes = FORM_MAX_BYTES,
): Promise<FormData | Response> {
  const bytes = await readBodyCapped(request, maxBytes);
  if (bytes === null) return formTooLarge(maxBytes);
  const type = request.headers.get("Content-Type") ?? "";
  try {
    return await new Request(request.url, {
      method: "POST",
      headers: { "Content-Type": type },
      body: bytes,
    }).formData();
  } catch {
    return new Response("The request was not a form.", {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
}
