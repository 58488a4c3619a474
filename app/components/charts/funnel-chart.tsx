// Reached → opened → clicked → replied, as horizontal bars: each bar's length is its
// share of the people reached, with the number and the share written beside it.
import { funnelBars, percent } from "@workers/core/charts/geometry";
import { ChartFigure } from "./chart-figure";

export type FunnelStepInput = { label: string; people: number };

const WIDTH = 360;
const ROW = 40;

export function FunnelChart({
  title,
  steps,
  of,
}: {
  title: string;
  steps: FunnelStepInput[];
  /** All people the shares are also given against (the campaign's prospects). */
  of: { label: string; people: number };
}) {
  const { bars, height } = funnelBars(
    steps.map((s) => ({ label: s.label, value: s.people })),
    { width: WIDTH, rowHeight: ROW },
  );
  const ofAll = (n: number) => (of.people > 0 ? percent(n / of.people) : "0%");
  const summary = `${steps
    .map(
      (s, i) =>
        `${s.label} ${s.people.toLocaleString("en-US")}${i === 0 ? "" : ` (${percent(bars[i].share)} of ${steps[0].label.toLowerCase()})`}`,
    )
    .join(", ")}; ${of.people.toLocaleString("en-US")} ${of.label}.`;
  return (
    <ChartFigure
      title={title}
      summary={summary}
      viewBox={`0 0 ${WIDTH} ${height}`}
      table={{
        columns: [
          "Step",
          "People",
          `Share of ${steps[0]?.label.toLowerCase() ?? "first step"}`,
          `Share of ${of.label}`,
        ],
        rows: steps.map((s, i) => [s.label, s.people, percent(bars[i].share), ofAll(s.people)]),
      }}
    >
      {bars.map((b, i) => (
        <g key={b.label} className={`funnel-step step-${i}`}>
          <text x={0} y={b.labelY} className="funnel-label">
            {b.label}
          </text>
          <text x={WIDTH} y={b.labelY} textAnchor="end" className="funnel-value">
            {b.value.toLocaleString("en-US")}
            {i > 0 ? ` · ${percent(b.share)}` : ""}
          </text>
          <rect x={0} y={b.y} width={WIDTH} height={14} rx={3} className="track" />
          {b.width > 0 ? (
            <rect x={0} y={b.y} width={b.width} height={14} rx={3} className="bar" />
          ) : null}
        </g>
      ))}
    </ChartFigure>
  );
}
