import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { SystemStatusQuery } from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { Chart } from './chart.tsx';
import { chartModel } from './chart-model.ts';
import { errorText } from './error-text.ts';
import { dateTime } from './format.ts';
import { LatestLoad } from './latest-load.ts';
import { systemStatusQuery } from './operations.ts';
import { Problem } from './problem.tsx';
import { ageText, lagText, rateText } from './status-text.ts';

type Status = SystemStatusQuery['systemStatus'];
type Series =
  | 'readingsAccepted'
  | 'readingsEvaluated'
  | 'evaluationLagP50'
  | 'evaluationLagP99'
  | 'oldestMessageAge';

/** Time ranges the page can show, in minutes. */
const RANGES = [15, 60] as const;
/** How often the status is read again while the page is open. */
const REFRESH_MS = 5_000;

const charts: {
  series: Series;
  heading: string;
  title: string;
  text: (value: number) => string;
}[] = [
  {
    series: 'readingsAccepted',
    heading: 'Readings accepted',
    title: 'Readings ingest accepted, per second',
    text: rateText,
  },
  {
    series: 'readingsEvaluated',
    heading: 'Readings evaluated',
    title: 'Readings the worker stored and evaluated, per second',
    text: rateText,
  },
  {
    series: 'evaluationLagP50',
    heading: 'Evaluation lag p50',
    title:
      "Evaluation lag, median, in milliseconds: a reading's arrival in the queue to its evaluation",
    text: lagText,
  },
  {
    series: 'evaluationLagP99',
    heading: 'Evaluation lag p99',
    title: 'Evaluation lag, 99th percentile, in milliseconds',
    text: lagText,
  },
  {
    series: 'oldestMessageAge',
    heading: 'Oldest message age',
    title: 'Age of the oldest message in the evaluation queue, in seconds',
    text: ageText,
  },
];

/**
 * How the system is doing (admins and operators): the evaluation queue and its dead-letter
 * queue now, and over the last minutes the readings flowing, how far behind evaluation is and
 * how old the oldest queued message is, read every few seconds.
 */
export function SystemPage({ api }: { api: Api }) {
  const [minutes, setMinutes] = useState<number>(RANGES[0]);
  const [status, setStatus] = useState<Status | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const loads = useMemo(() => new LatestLoad(), []);

  const load = useCallback(
    () =>
      loads.run(
        () => api.request(systemStatusQuery, { minutes }),
        (answer) => {
          setStatus(answer.systemStatus);
          setProblem(null);
        },
        (error) => setProblem(`Could not read the system's status: ${errorText(error)}`),
      ),
    [api, loads, minutes],
  );

  // A tick is skipped while a read is still out, and while the page is hidden.
  useEffect(() => {
    const tick = () => {
      if (!loads.busy && !document.hidden) void load();
    };
    void load();
    const timer = setInterval(tick, REFRESH_MS);
    document.addEventListener('visibilitychange', tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [load, loads]);

  useEffect(() => () => loads.cancel(), [loads]);

  return (
    <section aria-labelledby="system-heading">
      <div class="section-head">
        <h1 id="system-heading">System</h1>
        {status && (
          <p class="summary" aria-live="polite">
            Read {dateTime(status.readAt)}; points every {status.periodSeconds} s
          </p>
        )}
      </div>
      <fieldset class="segmented">
        <legend>Range</legend>
        {RANGES.map((value) => (
          <label key={value}>
            <input
              type="radio"
              name="system-range"
              checked={minutes === value}
              onChange={() => setMinutes(value)}
            />
            {value} min
          </label>
        ))}
      </fieldset>
      <Problem text={problem} />
      {status === null ? (
        problem === null && <p class="empty">Reading the system's status…</p>
      ) : (
        <>
          <Figures status={status} />
          <div class="system-charts">
            {charts.map((chart) => {
              const points = status[chart.series];
              const to = Date.parse(status.readAt);
              const latest = points.at(-1);
              return (
                <Chart
                  key={chart.series}
                  metric={chart.series}
                  heading={chart.heading}
                  title={chart.title}
                  caption={latest ? `latest ${chart.text(latest.value)}` : 'no data in this range'}
                  model={chartModel({
                    from: to - minutes * 60_000,
                    to,
                    readings: points.map((point) => ({ timestamp: point.at, value: point.value })),
                    rules: [],
                    episodes: [],
                    baseline: 0,
                  })}
                />
              );
            })}
          </div>
        </>
      )}
    </section>
  );
}

/** The queues now, and the flow of readings in the latest period. */
function Figures({ status }: { status: Status }) {
  const evaluated = status.readingsEvaluated.at(-1)?.value ?? 0;
  const figures = [
    {
      name: 'queue-depth',
      label: 'Evaluation queue',
      value: status.queueDepth.toLocaleString('en-US'),
      note: `${status.queueInFlight.toLocaleString('en-US')} in flight`,
      bad: false,
    },
    {
      name: 'dead-letter-depth',
      label: 'Dead-letter queue',
      value: status.deadLetterDepth.toLocaleString('en-US'),
      note:
        status.deadLetterDepth > 0 ? 'readings the worker gave up on: see the runbook' : 'empty',
      bad: status.deadLetterDepth > 0,
    },
    {
      name: 'oldest-message-age',
      label: 'Oldest message',
      value: ageText(status.oldestMessageAgeSeconds),
      note: `in the evaluation queue, the highest in the latest ${status.periodSeconds} s`,
      bad: false,
    },
    {
      name: 'readings-evaluated',
      label: 'Readings evaluated',
      value: rateText(evaluated),
      note: `in the latest ${status.periodSeconds} s`,
      bad: false,
    },
  ];
  return (
    <dl class="figures">
      {figures.map((figure) => (
        <div
          key={figure.name}
          class={`figure${figure.bad ? ' figure-bad' : ''}`}
          data-figure={figure.name}
        >
          <dt>{figure.label}</dt>
          <dd>
            <span class="figure-value">{figure.value}</span>
            <span class="figure-note">{figure.note}</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}
