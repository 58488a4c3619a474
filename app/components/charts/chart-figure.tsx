// The frame every chart shares: an accessible <svg> (role="img", <title>, <desc>), a
// visible legend, and the numbers as a visually hidden table for screen readers.
import { type ReactNode, useId } from "react";

export type LegendItem = { key: string; label: string; className: string; dashed?: boolean };

export function ChartFigure({
  title,
  summary,
  viewBox,
  legend,
  table,
  children,
}: {
  title: string;
  /** One sentence with the chart's main numbers: the svg's <desc>, shown as the caption. */
  summary: string;
  viewBox: string;
  legend?: LegendItem[];
  table: { columns: string[]; rows: (string | number)[][] };
  children: ReactNode;
}) {
  const id = useId();
  return (
    <figure className="chart">
      <svg
        viewBox={viewBox}
        role="img"
        aria-labelledby={`${id}-t ${id}-d`}
        preserveAspectRatio="xMidYMid meet"
        width="100%"
      >
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{summary}</desc>
        {children}
      </svg>
      {legend ? (
        <ul className="chart-legend" aria-hidden="true">
          {legend.map((l) => (
            <li key={l.key}>
              <span className={`swatch ${l.className}${l.dashed ? " dashed" : ""}`} />
              {l.label}
            </li>
          ))}
        </ul>
      ) : null}
      <figcaption className="small muted">{summary}</figcaption>
      <table className="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((r) => (
            <tr key={String(r[0])}>
              {r.map((cell, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: cells of a fixed column order
                <td key={i}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** A horizontal gridline with its value label at the left edge of the plot. */
export function YTicks({
  ticks,
  left,
  right,
}: {
  ticks: { value: number; at: number; label: string }[];
  left: number;
  right: number;
}) {
  return (
    <g className="axis">
      {ticks.map((t) => (
        <g key={t.value}>
          <line x1={left} x2={right} y1={t.at} y2={t.at} className="grid" />
          <text x={left - 4} y={t.at} dy="0.32em" textAnchor="end">
            {t.label}
          </text>
        </g>
      ))}
    </g>
  );
}

/** Day labels under the plot. */
export function XTicks({
  ticks,
  y,
}: {
  ticks: { value: number; at: number; label: string }[];
  y: number;
}) {
  return (
    <g className="axis">
      {ticks.map((t, i) => (
        <text
          key={t.value}
          x={t.at}
          y={y + 15}
          textAnchor={
            i === 0 && ticks.length > 1
              ? "start"
              : i === ticks.length - 1 && ticks.length > 1
                ? "end"
                : "middle"
          }
        >
          {t.label}
        </text>
      ))}
    </g>
  );
}
