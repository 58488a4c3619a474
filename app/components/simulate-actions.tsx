import { Form } from "@remix-run/react";

/** Sent emails that a simulated reply, out-of-office or bounce can answer. */
const SIMULATABLE = new Set(["sent", "delivered"]);
const BUTTONS = [
  { kind: "reply", label: "Reply", title: "A human reply from the recipient" },
  { kind: "out_of_office", label: "Out of office", title: "An auto-reply: back in a week" },
  { kind: "bounce", label: "Bounce", title: "A hard bounce: 5.1.1 user unknown" },
] as const;

/**
 * The Email Log's "Simulate: Reply · Out of office · Bounce" on a sent email (local sink
 * only): posts to the Email Log's action, which pushes real mail through `email()`.
 */
export function SimulateActions({
  message: m,
  disabled,
}: {
  message: { id: string; channel: string; status: string; to: string | null };
  disabled: boolean;
}) {
  if (m.channel !== "email" || !SIMULATABLE.has(m.status)) return null;
  return (
    <Form
      method="post"
      preventScrollReset
      className="simulate"
      aria-label={`Simulate mail back from ${m.to ?? "the recipient"}`}
    >
      <input type="hidden" name="intent" value="simulate" />
      <input type="hidden" name="messageId" value={m.id} />
      <span className="label-text">Simulate</span>
      {BUTTONS.map((b) => (
        <button
          key={b.kind}
          type="submit"
          name="kind"
          value={b.kind}
          className="secondary"
          disabled={disabled}
          title={b.title}
        >
          {b.label}
        </button>
      ))}
    </Form>
  );
}
