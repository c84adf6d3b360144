/** Daily counts of the last days as a small line (SVG: 50 rows of a list cost nothing). */
export function Sparkline({ values, label }: { values: readonly number[]; label: string }) {
  const w = 84;
  const h = 22;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(h - 2 - (v / max) * (h - 4)).toFixed(1)}`);
  const total = values.reduce((a, b) => a + b, 0);
  return (
    <svg class="sparkline" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`${label}: ${total} in the last ${values.length} days`}>
      <title>{`Daily counts, oldest first: ${values.join(', ')}`}</title>
      {values.length > 1 && <polyline points={`0,${h} ${points.join(' ')} ${w},${h}`} class="spark-area" />}
      {values.length > 1 && <polyline points={points.join(' ')} class="spark-line" />}
    </svg>
  );
}
