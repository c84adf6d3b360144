/**
 * A time chart (uPlot): bars stacked per series, or one line. Colours are CSS variables of the
 * theme, read when drawing, so a theme change redraws it. Width follows its container.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { cssVar, useTheme } from '../theme.js';
import { utcTime } from '../time.js';

export interface ChartSeries {
  label: string;
  values: number[];
  /** A CSS variable name, e.g. `--c1`. */
  color: string;
}

export interface ChartProps {
  /** Bucket starts, ISO. */
  times: string[];
  series: ChartSeries[];
  /** Width of one bucket in seconds (an hour or a day). */
  step: number;
  height?: number;
  label: string;
}

export function Chart({ times, series, step, height = 220, label }: ChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const theme = useTheme();
  useEffect(() => {
    const host = el.current;
    if (!host) return;
    const xs = times.map((t) => new Date(t).getTime() / 1000);
    // Stacked: each series is drawn up to the sum of itself and those after it, first on top.
    const stacked: number[][] = [];
    let below = xs.map(() => 0);
    for (let i = series.length - 1; i >= 0; i--) {
      below = below.map((b, j) => b + (series[i]?.values[j] ?? 0));
      stacked[i] = below;
    }
    const fg = cssVar('--muted');
    const grid = cssVar('--line');
    const bars = uPlot.paths.bars?.({ size: [0.8, 64], align: 1 });
    const opts: uPlot.Options = {
      width: host.clientWidth || 600,
      height,
      legend: { show: series.length > 1, live: true },
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      scales: { x: { time: true, range: (_u, min, max) => [min, max + step] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.08)] } },
      axes: [
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { show: false }, size: 48, values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')) },
      ],
      series: [
        { label: 'time', value: (_u, v) => (v == null ? '' : utcTime(new Date(v * 1000).toISOString())) },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: cssVar(s.color),
          fill: cssVar(s.color),
          width: 0,
          ...(bars ? { paths: bars } : {}),
          points: { show: false },
          value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) => (idx == null ? '' : String(series[i]?.values[idx] ?? 0)),
        })),
      ],
    };
    const plot = new uPlot(opts, [xs, ...stacked] as uPlot.AlignedData, host);
    const resize = new ResizeObserver(() => plot.setSize({ width: host.clientWidth, height }));
    resize.observe(host);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, step, height, theme]);
  const total = series.reduce((a, s) => a + s.values.reduce((x, y) => x + y, 0), 0);
  return <div class="chart" ref={el} role="img" aria-label={`${label}: ${total} in ${times.length} intervals`} />;
}

/** The palette for categories without colours of their own (kinds, releases): `--c1`…`--c8`, then grey. */
export function paletteColor(index: number): string {
  return index < 8 ? `--c${index + 1}` : '--c-other';
}
