// Sends, opens and replies per day as lines on one axis.
import { FRAME, fillDays, seriesLines, shortDay } from "@workers/core/charts/geometry";
import { ChartFigure, XTicks, YTicks } from "./chart-figure";

const SERIES = [
  { key: "sent", label: "Sent", className: "s-sent" },
  { key: "opened", label: "Opened", className: "s-opened" },
  { key: "replied", label: "Replied", className: "s-replied" },
] as const;
type Key = (typeof SERIES)[number]["key"];

export type DayCounts = { day: string } & Record<Key, number>;

export function TimeSeriesChart({
  title,
  points,
  from,
  to,
}: {
  title: string;
  points: DayCounts[];
  from: string;
  to: string;
}) {
  const keys = SERIES.map((s) => s.key);
  const rows = fillDays(points, keys, from, to);
  const g = seriesLines(rows, keys);
  const sum = (k: Key) => rows.reduce((n, r) => n + r[k], 0);
  const summary = `${shortDay(from)} to ${shortDay(to)}: ${SERIES.map((s) => `${sum(s.key).toLocaleString("en-US")} ${s.label.toLowerCase()}`).join(", ")}.`;
  return (
    <ChartFigure
      title={title}
      summary={summary}
      viewBox={`0 0 ${FRAME.width} ${FRAME.height}`}
      legend={SERIES.map((s) => ({ key: s.key, label: s.label, className: s.className }))}
      table={{
        columns: ["Day", ...SERIES.map((s) => s.label)],
        rows: rows
          .filter((r) => keys.some((k) => r[k] > 0))
          .map((r) => [r.day, ...keys.map((k) => r[k])]),
      }}
    >
      <YTicks ticks={g.yTicks} left={g.plot.left} right={g.plot.right} />
      <XTicks ticks={g.xTicks} y={g.plot.bottom} />
      {g.paths.map((p, i) => (
        <g key={p.key} className={`series ${SERIES[i].className}`}>
          <path d={p.d} fill="none" />
          {rows.length <= 62
            ? p.points.map((pt, j) =>
                pt.value > 0 ? <circle key={rows[j].day} cx={pt.x} cy={pt.y} r={2} /> : null,
              )
            : null}
        </g>
      ))}
    </ChartFigure>
  );
}
