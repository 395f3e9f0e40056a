import { useId } from 'preact/hooks';
import type { ChartModel } from './chart-model.ts';
import { clock } from './format.ts';

/**
 * A time series drawn in SVG, with what its model holds besides: a device's metric with its
 * rules' thresholds and alert episodes, or one of the system's series. `metric` names the
 * series (the figure's `data-metric`), `heading` is its name on the page, `title` says what
 * it is to a screen reader, and `caption` sums it up beside the heading.
 */
export function Chart(props: {
  metric: string;
  heading: string;
  title: string;
  caption: string;
  model: ChartModel;
}) {
  const { metric, heading, title, caption, model } = props;
  const { plot } = model;
  const id = useId();
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const line = model.points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
  const last = model.points[model.points.length - 1];

  return (
    <figure class="chart" data-metric={metric}>
      <figcaption>
        <h2>{heading}</h2>
        <span>{caption}</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${model.width} ${model.height}`}
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
      >
        <title id={titleId}>{title}</title>
        <desc id={descId}>
          {caption}.{' '}
          {model.lines.map((l) => `${l.label}${l.enabled ? '' : ' (disabled)'}.`).join(' ')}
          {model.bands.length > 0 &&
            ` ${model.bands.length} alert episode${model.bands.length === 1 ? '' : 's'}.`}
        </desc>
        {model.bands.map((band) => (
          <rect
            key={band.alertId}
            class={`episode severity-${band.severity.toLowerCase()}`}
            data-alert-id={band.alertId}
            x={band.x0}
            y={plot.top}
            width={band.x1 - band.x0}
            height={plot.bottom - plot.top}
          />
        ))}
        {model.yTicks.map((tick) => (
          <g key={tick.value} class="tick">
            <line x1={plot.left} x2={plot.right} y1={tick.y} y2={tick.y} />
            <text x={plot.left - 6} y={tick.y} text-anchor="end" dominant-baseline="middle">
              {tick.value}
            </text>
          </g>
        ))}
        {model.xTicks.map((tick) => (
          <text
            key={tick.at}
            class="tick"
            x={tick.x}
            y={model.height - 8}
            text-anchor={tick.x === plot.left ? 'start' : tick.x === plot.right ? 'end' : 'middle'}
          >
            {clock(tick.at)}
          </text>
        ))}
        {model.lines.map((l) => (
          <line
            key={`${l.ruleId}-${l.kind}`}
            class={`rule-line ${l.kind}${l.enabled ? '' : ' disabled'}`}
            data-rule-id={l.ruleId}
            data-kind={l.kind}
            data-value={l.value}
            x1={plot.left}
            x2={plot.right}
            y1={l.y}
            y2={l.y}
          >
            <title>{l.label}</title>
          </line>
        ))}
        {model.points.length > 1 && <polyline class="readings" points={line} />}
        {last && <circle class="latest" cx={last.x} cy={last.y} r={3} />}
      </svg>
      <ul class="legend">
        {model.lines.map((l) => (
          <li key={`${l.ruleId}-${l.kind}`} class={`legend-${l.kind}`}>
            {l.label}
            {l.enabled ? '' : ' (disabled)'}
          </li>
        ))}
      </ul>
    </figure>
  );
}
