import PartySocket from "partysocket";

/**
 * A partysocket to /parties/<party>/<room> that asks for what it missed on every
 * (re)connect (`query` is read again each time) and reconnects at once when the browser
 * comes back online or the tab becomes visible, instead of waiting out its backoff.
 */
export function openLiveSocket(opts: {
  party: "campaign" | "account";
  room: string;
  query: () => Record<string, string>;
  onMessage: (data: unknown) => void;
  onOpenChange: (open: boolean) => void;
}): { close: () => void; send: (message: unknown) => void } {
  const socket = new PartySocket({
    host: window.location.host,
    protocol: window.location.protocol === "https:" ? "wss" : "ws",
    party: opts.party,
    room: opts.room,
    query: opts.query,
    // The server closes a removed member with 4003: never retry faster than this.
    minReconnectionDelay: 500,
    maxReconnectionDelay: 5_000,
  });
  socket.addEventListener("open", () => opts.onOpenChange(true));
  socket.addEventListener("close", () => opts.onOpenChange(false));
  socket.addEventListener("message", (event: MessageEvent) => opts.onMessage(event.data));
  // Back online: the old socket may be dead without knowing it; a fresh one catches up.
  const online = () => socket.reconnect();
  const offline = () => opts.onOpenChange(false);
  const visible = () => {
    if (document.visibilityState === "visible" && socket.readyState !== WebSocket.OPEN) {
      socket.reconnect();
    }
  };
  window.addEventListener("online", online);
  window.addEventListener("offline", offline);
  document.addEventListener("visibilitychange", visible);
  return {
    close() {
      window.removeEventListener("online", online);
      window.removeEventListener("offline", offline);
      document.removeEventListener("visibilitychange", visible);
      socket.close();
    },
    /** Sends when connected; a message meant for now is not queued for later. */
    send(message) {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    },
  };
}

/** Calls `fn` at most once per `ms`, trailing (the last call's effect is never lost). */
export function throttle(fn: () => void, ms: number): { call: () => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    call() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        fn();
      }, ms);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
