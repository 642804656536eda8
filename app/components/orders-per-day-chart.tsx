import { BlockStack, InlineStack, Text } from "@shopify/polaris";
import { channelLabel, formatDate } from "./format";

export interface OrdersPerDaySeries {
  channel: string;
  counts: number[];
}

const CHANNEL_COLORS: Record<string, string> = {
  shopify: "#008060",
  amazon: "#ff9900",
  ebay: "#3665f3",
  woocommerce: "#7f54b3",
};
const FALLBACK_COLORS = ["#5c6ac4", "#de3618", "#47c1bf", "#f49342"];

export function colorForChannel(channel: string, index: number): string {
  return CHANNEL_COLORS[channel] ?? FALLBACK_COLORS[index % FALLBACK_COLORS.length]!;
}

/** Round the axis up to 1, 2 or 5 × 10^n so gridlines land on readable numbers. */
export function niceAxisMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (value <= step * magnitude) return step * magnitude;
  }
  return 10 * magnitude;
}

const WIDTH = 720;
const HEIGHT = 240;
const MARGIN = { top: 12, right: 12, bottom: 28, left: 40 };

/** Stacked bars: one bar per day, one segment per channel. Hand-drawn SVG, no chart library. */
export function OrdersPerDayChart({ days, series }: { days: string[]; series: OrdersPerDaySeries[] }) {
  const totals = days.map((_, dayIndex) => series.reduce((sum, line) => sum + (line.counts[dayIndex] ?? 0), 0));
  const grandTotal = totals.reduce((sum, value) => sum + value, 0);
  const axisMax = niceAxisMax(Math.max(0, ...totals));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / Math.max(1, days.length);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (value: number) => MARGIN.top + plotHeight - (value / axisMax) * plotHeight;
  const ticks = [0, axisMax / 2, axisMax];

  return (
    <BlockStack gap="300">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        role="img"
        aria-label={`Orders per day over the last ${days.length} days: ${grandTotal} in total`}
        data-testid="orders-per-day-chart"
      >
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} stroke="#e3e3e3" />
            <text x={MARGIN.left - 6} y={y(tick) + 4} textAnchor="end" fontSize="11" fill="#616161">
              {Number.isInteger(tick) ? tick : tick.toFixed(1)}
            </text>
          </g>
        ))}
        {days.map((day, dayIndex) => {
          const x = MARGIN.left + dayIndex * slot + (slot - barWidth) / 2;
          let stacked = 0;
          return (
            <g key={day}>
              {series.map((line, seriesIndex) => {
                const count = line.counts[dayIndex] ?? 0;
                if (count === 0) return null;
                const top = y(stacked + count);
                const height = y(stacked) - top;
                stacked += count;
                return (
                  <rect
                    key={line.channel}
                    x={x}
                    y={top}
                    width={barWidth}
                    height={height}
                    fill={colorForChannel(line.channel, seriesIndex)}
                  >
                    <title>{`${formatDate(`${day}T00:00:00Z`)} · ${channelLabel(line.channel)}: ${count}`}</title>
                  </rect>
                );
              })}
              {dayIndex % 5 === 0 || dayIndex === days.length - 1 ? (
                <text x={x + barWidth / 2} y={HEIGHT - 8} textAnchor="middle" fontSize="11" fill="#616161">
                  {formatDate(`${day}T00:00:00Z`)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <InlineStack gap="400">
        {series.map((line, seriesIndex) => (
          <InlineStack key={line.channel} gap="100" blockAlign="center">
            <svg width="12" height="12" aria-hidden="true">
              <rect width="12" height="12" rx="2" fill={colorForChannel(line.channel, seriesIndex)} />
            </svg>
            <Text as="span" variant="bodySm">
              {channelLabel(line.channel)} ({line.counts.reduce((sum, value) => sum + value, 0)})
            </Text>
          </InlineStack>
        ))}
      </InlineStack>
    </BlockStack>
  );
}
