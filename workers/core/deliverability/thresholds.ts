// Bounce and complaint rates against the mailbox providers' sender rules, for the dashboard.

/**
 * Gmail's and Yahoo's sender requirements (February 2024): keep the spam complaint rate
 * below 0.3%, ideally below 0.1%. Bounces: over 2% is a warning sign and over 5% gets mail
 * throttled or blocked (the common guidance of ESPs such as Resend and SendGrid).
 */
export const THRESHOLDS = {
  complaint: { warning: 0.001, alarm: 0.003 },
  bounce: { warning: 0.02, alarm: 0.05 },
} as const;

export type HealthLevel = "ok" | "warning" | "alarm";
export type RateHealth = {
  metric: "bounce" | "complaint";
  /** count ÷ sent; 0 when nothing was sent. */
  rate: number;
  count: number;
  sent: number;
  level: HealthLevel;
};

function level(rate: number, t: { warning: number; alarm: number }, strict: boolean): HealthLevel {
  // Complaints: "under 0.3%" is the rule, so 0.3% itself is over; bounces: "over 2%".
  if (strict ? rate >= t.alarm : rate > t.alarm) return "alarm";
  if (strict ? rate >= t.warning : rate > t.warning) return "warning";
  return "ok";
}

/** The bounce and complaint rates of messages sent in a period, each with its level. */
export function senderHealth(input: {
  sent: number;
  bounced: number;
  complained: number;
}): RateHealth[] {
  const rate = (n: number) => (input.sent > 0 ? n / input.sent : 0);
  const bounce = rate(input.bounced);
  const complaint = rate(input.complained);
  return [
    {
      metric: "bounce",
      rate: bounce,
      count: input.bounced,
      sent: input.sent,
      level: level(bounce, THRESHOLDS.bounce, false),
    },
    {
      metric: "complaint",
      rate: complaint,
      count: input.complained,
      sent: input.sent,
      level: level(complaint, THRESHOLDS.complaint, true),
    },
  ];
}
