import { useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect, useRef } from "react";

/**
 * Reloads the page's data for the live feed, at most once per `ms`, and never while the
 * browser is offline (the request would fail and show an error page): a reload asked for
 * then runs as soon as the browser is back online. Nothing asked for is dropped — a
 * request during a reload in flight runs after it, and one during a navigation or a form
 * submission waits for it to finish (a reload then would start over the action's answer).
 */
export function useLiveRevalidate(ms: number): () => void {
  const { revalidate, state: reloading } = useRevalidator();
  const navigating = useNavigation().state;
  const state = reloading === "idle" && navigating === "idle" ? "idle" : "busy";
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const pending = useRef(false);
  const busy = useRef(state !== "idle");
  busy.current = state !== "idle";
  const run = useRef<() => void>(() => {});
  run.current = () => {
    if (!navigator.onLine || busy.current) {
      pending.current = true;
      return;
    }
    pending.current = false;
    revalidate();
  };

  useEffect(() => {
    // A reload that waited for the one in flight, or for the network, goes now.
    if (state === "idle" && pending.current && navigator.onLine) run.current();
  }, [state]);

  useEffect(() => {
    // The network is often not usable the very moment the browser says it is back.
    let wait: ReturnType<typeof setTimeout> | null = null;
    const online = () => {
      if (wait) clearTimeout(wait);
      wait = setTimeout(() => {
        if (pending.current) run.current();
      }, 1_000);
    };
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      if (wait) clearTimeout(wait);
      if (timer.current) clearTimeout(timer.current);
    };
  }, []);

  return () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      run.current();
    }, ms);
  };
}
