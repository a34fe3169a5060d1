// A time-series chart (uPlot on a canvas): one x axis of timestamps and a few series, in
// the theme's colours (rebuilt when the theme changes), resizing with its container. Null values leave gaps.
import { useEffect, useEffectEvent, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useDocumentTheme } from "./useDocumentTheme";

export interface ChartSeries {
  label: string;
  /** A CSS colour or `var(--name)`. */
  colour: string;
  values: (number | null)[];
  /** Drawn as bars (counts) rather than a line. */
  bars?: boolean;
}

function cssColour(element: HTMLElement, colour: string): string {
  const match = /^var\((--[\w-]+)\)$/.exec(colour);
  return match?.[1] ? getComputedStyle(element).getPropertyValue(match[1]).trim() || "#888" : colour;
}

export function TimeChart({ title, unit, xs, series, testId }: { title: string; unit: string; xs: number[]; series: ChartSeries[]; testId?: string }) {
  const holder = useRef<HTMLDivElement>(null);
  // Colours are read when the chart is built, so a theme switch rebuilds it.
  const theme = useDocumentTheme();
  const plot = useRef<uPlot | undefined>(undefined);
  // Rebuilt when the set of series changes; data updates go through setData.
  const shape = series.map((s) => `${s.label}:${s.bars ? "b" : "l"}`).join(",");
  const seriesOptions = useEffectEvent((element: HTMLElement): uPlot.Series[] =>
    series.map((s) => ({
      label: s.label,
      stroke: cssColour(element, s.colour),
      fill: s.bars ? cssColour(element, s.colour) + "99" : undefined,
      width: s.bars ? 0 : 2,
      paths: s.bars ? uPlot.paths.bars!({ size: [0.8, 40] }) : undefined,
      // Points too, so a lone value (one busy bucket) is visible.
      points: { show: !s.bars, size: 5 },
      spanGaps: false,
    })),
  );

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const text = cssColour(element, "var(--muted)");
    const grid = cssColour(element, "var(--border)");
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const options: uPlot.Options = {
      title,
      width: Math.max(element.clientWidth, 200),
      height: 180,
      scales: { x: { time: true } },
      axes: [axis, { ...axis, size: labelWidth, values: (_u, ticks) => ticks.map((v) => `${+v.toFixed(2)} ${unit}`) }],
      legend: { live: true },
      series: [{}, ...seriesOptions(element)],
    };
    plot.current = new uPlot(options, [[], ...options.series.slice(1).map(() => [])], element);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(element.clientWidth, 200), height: 180 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, [shape, title, unit, theme]);

  useEffect(() => {
    plot.current?.setData([xs.map((x) => x / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [xs, series, shape, theme]);

  return <div className="time-chart" ref={holder} data-testid={testId} />;
}

/** The y axis's width: room for its longest label (uPlot's default font, ~7 px a character) plus the ticks. */
function labelWidth(_u: uPlot, values: string[] | null): number {
  const longest = Math.max(0, ...(values ?? []).map((v) => v.length));
  return Math.max(40, longest * 7 + 24);
}
