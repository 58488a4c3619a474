import { useActionData, useLocation } from "@remix-run/react";
import { useState } from "react";

type ActionData<T> = ReturnType<typeof useActionData<T>>;

/**
 * The route's action answer (a notice, a new key, a form's errors), kept until the next
 * navigation. Remix drops action data on any completed revalidation, and live pages
 * revalidate on their own (the feed's hello and reloads, the usage meter after a send): an
 * answer that arrived a moment before one flashed and vanished. A revalidation keeps the
 * location's key; a navigation, a filter or another submission makes a new one.
 */
export function useActionNotice<T>(): ActionData<T> {
  const data = useActionData<T>();
  const { key } = useLocation();
  const [kept, setKept] = useState<{ key: string; data: ActionData<T> } | null>(null);
  if (data !== undefined && (kept === null || kept.data !== data || kept.key !== key))
    setKept({ key, data });
  if (data !== undefined) return data;
  return kept?.key === key ? kept.data : undefined;
}
