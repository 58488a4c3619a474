// Scales and shapes of the metrics charts, as plain numbers and SVG path strings: the
// chart components only draw what these return, so the geometry is tested without a DOM.
import { scaleBand, scaleLinear } from "d3-scale";
import { line } from "d3-shape";

/** A chart's drawing box in viewBox units, with room for axes around the plot. */
export type Frame = {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
};

/** A small viewBox: at phone width it is drawn near 1:1, so 11-unit text stays readable. */
export const FRAME: Frame = {
  width: 360,
  height: 200,
  margin: { top: 12, right: 10, bottom: 26, left: 36 },
};

export type Tick = { value: number; at: number; label: string };

const MS_PER_DAY = 86_400_000;

/** Every `YYYY-MM-DD` (UTC) from `from` to `to` inclusive; empty when `to` is before `from`. */
export function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end)) return [];
  const days: string[] = [];
  for (let t = start; t <= end; t += MS_PER_DAY) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The series with one row per day of the range: days without activity get zeros. */
export function fillDays<K extends string>(
  points: ({ day: string } & Record<K, number>)[],
  keys: readonly K[],
  from: string,
  to: string,
): ({ day: string } & Record<K, number>)[] {
  const byDay = new Map(points.map((p) => [p.day, p]));
  return daysBetween(from, to).map((day) => {
    const found = byDay.get(day);
    const row = { day } as { day: string } & Record<K, number>;
    for (const k of keys) (row as Record<K, number>)[k] = found ? found[k] : 0;
    return row;
  });
}

/** "Dec 1" for `2026-12-01`, in UTC (the series' days are UTC days). */
export function shortDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString("en-US", {
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });
}

/** A 0..max linear scale made "nice", with at most `count` whole-number ticks. */
export function valueScale(max: number, range: [number, number], count = 4) {
  const scale = scaleLinear()
    .domain([0, Math.max(1, max)])
    .range(range)
    .nice(count);
  const ticks: Tick[] = scale
    .ticks(count)
    .filter((v) => Number.isInteger(v))
    .map((v) => ({ value: v, at: scale(v), label: compactNumber(v) }));
  return { scale, ticks, top: scale.domain()[1] };
}

/** 1234 → "1.2k", 5000 → "5k", 12 → "12": axis labels that fit 36 units. */
export function compactNumber(n: number): string {
  if (Math.abs(n) >= 1_000_000) return `${trim(n / 1_000_000)}M`;
  if (Math.abs(n) >= 1_000) return `${trim(n / 1_000)}k`;
  return String(n);
}
const trim = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1).replace(/\.0$/, ""));

/** A share as a whole or one-decimal percentage: 0.1234 → "12.3%", 0.5 → "50%". */
export function percent(rate: number): string {
  const p = rate * 100;
  if (p === 0) return "0%";
  if (p < 10 && !Number.isInteger(p)) return `${p.toFixed(1)}%`;
  return `${Math.round(p)}%`;
}

/** At most `max` evenly spaced indexes of `n` items, always the first and the last. */
export function spacedIndexes(n: number, max: number): number[] {
  if (n <= 0) return [];
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const step = (n - 1) / (max - 1);
  return [...new Set(Array.from({ length: max }, (_, i) => Math.round(i * step)))];
}

// ── Funnel: one horizontal bar per step, its width the step's share of the first step.

export type FunnelStep = { label: string; value: number };
export type FunnelBar = FunnelStep & {
  y: number;
  width: number;
  /** value ÷ the first step's value (1 for the first step; 0 when it is 0). */
  share: number;
  labelY: number;
};

/** Bars of a funnel laid out top to bottom, each with a label line above it. */
export function funnelBars(steps: FunnelStep[], frame: { width: number; rowHeight: number }) {
  const first = steps[0]?.value ?? 0;
  const x = scaleLinear()
    .domain([0, Math.max(1, first, ...steps.map((s) => s.value))])
    .range([0, frame.width]);
  const bars: FunnelBar[] = steps.map((s, i) => ({
    ...s,
    labelY: i * frame.rowHeight + 13,
    y: i * frame.rowHeight + 18,
    width: s.value > 0 ? Math.max(2, x(s.value)) : 0,
    share: first > 0 ? s.value / first : 0,
  }));
  return { bars, height: steps.length * frame.rowHeight };
}

// ── Time series: one line per series over days.

export type SeriesGeometry = {
  paths: {
    key: string;
    d: string;
    /** Each day's point, for dots on days with activity. */
    points: { x: number; y: number; value: number }[];
    last: { x: number; y: number } | null;
  }[];
  xTicks: Tick[];
  yTicks: Tick[];
  plot: { left: number; right: number; top: number; bottom: number };
};

/** Lines of several counts per day on one shared 0-based value axis. */
export function seriesLines<K extends string>(
  rows: ({ day: string } & Record<K, number>)[],
  keys: readonly K[],
  frame: Frame = FRAME,
): SeriesGeometry {
  const plot = plotBox(frame);
  const max = Math.max(0, ...rows.flatMap((r) => keys.map((k) => r[k])));
  const { scale: y, ticks: yTicks } = valueScale(max, [plot.bottom, plot.top]);
  const x = scaleLinear()
    .domain([0, Math.max(1, rows.length - 1)])
    .range(
      rows.length === 1 ? [(plot.left + plot.right) / 2, plot.right] : [plot.left, plot.right],
    );
  const paths = keys.map((key) => {
    const pts = rows.map((r, i) => [x(i), y(r[key])] as [number, number]);
    const d = rows.length === 0 ? "" : (line()(pts) ?? "");
    const end = pts.at(-1);
    const points = pts.map(([px, py], i) => ({ x: px, y: py, value: rows[i][key] }));
    return { key: String(key), d, points, last: end ? { x: end[0], y: end[1] } : null };
  });
  const xTicks = spacedIndexes(rows.length, 5).map((i) => ({
    value: i,
    at: x(i),
    label: shortDay(rows[i].day),
  }));
  return { paths, xTicks, yTicks, plot };
}

// ── Daily sends against a limit: a bar per day and a horizontal limit line.

export type LimitBar = {
  day: string;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
  over: boolean;
};

/** Bars of sends per day under a horizontal line at `limit` (the axis always shows the line). */
export function limitBars(
  rows: { day: string; sent: number }[],
  limit: number,
  frame: Frame = FRAME,
) {
  const plot = plotBox(frame);
  const max = Math.max(limit, ...rows.map((r) => r.sent));
  const { scale: y, ticks: yTicks } = valueScale(max, [plot.bottom, plot.top]);
  const x = scaleBand<string>()
    .domain(rows.map((r) => r.day))
    .range([plot.left, plot.right])
    .paddingInner(rows.length > 40 ? 0.1 : 0.25)
    .paddingOuter(0.1);
  const bars: LimitBar[] = rows.map((r) => {
    const top = y(r.sent);
    return {
      day: r.day,
      value: r.sent,
      x: x(r.day) ?? plot.left,
      width: x.bandwidth(),
      y: top,
      height: plot.bottom - top,
      over: r.sent > limit,
    };
  });
  const xTicks = spacedIndexes(rows.length, 5).map((i) => ({
    value: i,
    at: (x(rows[i].day) ?? plot.left) + x.bandwidth() / 2,
    label: shortDay(rows[i].day),
  }));
  return { bars, limitY: y(limit), xTicks, yTicks, plot };
}

function plotBox(frame: Frame) {
  return {
    left: frame.margin.left,
    right: frame.width - frame.margin.right,
    top: frame.margin.top,
    bottom: frame.height - frame.margin.bottom,
  };
}
