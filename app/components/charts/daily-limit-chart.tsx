// Sends per day as bars under the daily limit, drawn as a dashed line with its value.
import { compactNumber, FRAME, fillDays, limitBars, shortDay } from "@workers/core/charts/geometry";
import { ChartFigure, XTicks, YTicks } from "./chart-figure";

export function DailyLimitChart({
  title,
  points,
  from,
  to,
  limit,
  limitLabel,
}: {
  title: string;
  points: { day: string; sent: number }[];
  from: string;
  to: string;
  limit: number;
  /** What the limit is: "the account's daily limit" or a mailbox's cap. */
  limitLabel: string;
}) {
  const rows = fillDays(points, ["sent"], from, to);
  const g = limitBars(rows, limit);
  const busiest = rows.reduce((best, r) => (r.sent > (best?.sent ?? -1) ? r : best), rows[0]);
  const over = g.bars.filter((b) => b.over).length;
  const summary = `${shortDay(from)} to ${shortDay(to)}: busiest day ${
    busiest && busiest.sent > 0
      ? `${shortDay(busiest.day)} with ${busiest.sent.toLocaleString("en-US")} sent`
      : "none, nothing sent"
  }; ${limitLabel} ${limit.toLocaleString("en-US")} a day${over > 0 ? `; over it on ${over} day${over === 1 ? "" : "s"}` : ""}.`;
  return (
    <ChartFigure
      title={title}
      summary={summary}
      viewBox={`0 0 ${FRAME.width} ${FRAME.height}`}
      legend={[
        { key: "sent", label: "Sent", className: "s-sent" },
        {
          key: "limit",
          label: `Limit ${compactNumber(limit)}`,
          className: "s-limit",
          dashed: true,
        },
      ]}
      table={{
        columns: ["Day", "Sent", "Limit"],
        rows: rows.filter((r) => r.sent > 0).map((r) => [r.day, r.sent, limit]),
      }}
    >
      <YTicks ticks={g.yTicks} left={g.plot.left} right={g.plot.right} />
      <XTicks ticks={g.xTicks} y={g.plot.bottom} />
      <g className="bars s-sent">
        {g.bars.map((b) =>
          b.value > 0 ? (
            <rect
              key={b.day}
              x={b.x}
              y={b.y}
              width={b.width}
              height={Math.max(1, b.height)}
              className={b.over ? "over" : undefined}
            />
          ) : null,
        )}
      </g>
      <g className="limit-line">
        <line x1={g.plot.left} x2={g.plot.right} y1={g.limitY} y2={g.limitY} />
        <text x={g.plot.right} y={g.limitY - 4} textAnchor="end">
          Limit {limit.toLocaleString("en-US")}
        </text>
      </g>
    </ChartFigure>
  );
}
