import { BlockStack, InlineStack, Text } from "@shopify/polaris";
import { colorForChannel, niceAxisMax } from "./orders-per-day-chart";
import { channelLabel, formatDateTime } from "./format";

export interface PushLatencySeries {
  connectionId: string;
  channel: string;
  name: string;
  /** Oldest first: one point per sync run that pushed something. */
  points: { finishedAt: string; p50Ms: number; maxMs: number }[];
}

const WIDTH = 720;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 12, bottom: 24, left: 52 };

/**
 * Push latency per sync run (a change's first mark to the channel's answer): a line of the
 * median per connection and dots for each run's slowest item. Hand-drawn SVG like the orders
 * chart, so it renders the same under Remix SSR and in the browser.
 */
export function PushLatencyChart({ series }: { series: PushLatencySeries[] }) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) {
    return (
      <Text as="p" tone="subdued">
        No stock pushed yet: latency appears here after the first sync.
      </Text>
    );
  }
  const times = all.map((p) => Date.parse(p.finishedAt));
  const start = Math.min(...times);
  const span = Math.max(1, Math.max(...times) - start);
  const axisMax = niceAxisMax(Math.max(...all.map((p) => p.maxMs)));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (at: string) => MARGIN.left + ((Date.parse(at) - start) / span) * plotWidth;
  const y = (ms: number) => MARGIN.top + plotHeight - (ms / axisMax) * plotHeight;
  const label = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${Math.round(ms)} ms`);

  return (
    <BlockStack gap="300">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" role="img" aria-label="Stock push latency per sync run" data-testid="push-latency-chart">
        {[0, axisMax / 2, axisMax].map((tick) => (
          <g key={tick}>
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} stroke="#e3e3e3" />
            <text x={MARGIN.left - 6} y={y(tick) + 4} textAnchor="end" fontSize="11" fill="#616161">
              {label(tick)}
            </text>
          </g>
        ))}
        {series.map((s, index) => {
          const color = colorForChannel(s.channel, index);
          return (
            <g key={s.connectionId}>
              <polyline fill="none" stroke={color} strokeWidth="2" points={s.points.map((p) => `${x(p.finishedAt)},${y(p.p50Ms)}`).join(" ")} />
              {s.points.map((p) => (
                <circle key={`${p.finishedAt}`} cx={x(p.finishedAt)} cy={y(p.maxMs)} r="2.5" fill={color} opacity="0.6">
                  <title>{`${s.name} · ${formatDateTime(p.finishedAt)}: median ${label(p.p50Ms)}, slowest ${label(p.maxMs)}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
      <InlineStack gap="400">
        {series.map((s, index) => (
          <InlineStack key={s.connectionId} gap="100" blockAlign="center">
            <svg width="12" height="12" aria-hidden="true">
              <rect width="12" height="12" rx="2" fill={colorForChannel(s.channel, index)} />
            </svg>
            <Text as="span" variant="bodySm">
              {channelLabel(s.channel)} · {s.name}: median of last run {label(s.points.at(-1)?.p50Ms ?? 0)}
            </Text>
          </InlineStack>
        ))}
      </InlineStack>
    </BlockStack>
  );
}
