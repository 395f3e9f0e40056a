import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import type { FeedAlert } from './alert-feed.ts';
import { needsAttention } from './alert-feed.ts';
import { AlertMarks } from './alert-marks.tsx';
import { errorText } from './error-text.ts';
import { age, condition, dateTime, deviceHref } from './format.ts';
import { useSilenceFromAlert } from './silence-from-alert.tsx';
import type { AlertFeed } from './use-alert-feed.ts';
import { Problem } from './problem.tsx';

/**
 * The live feed, newest first: what fires, what resolved, who is on it, and which alerts a
 * silence holds or are flapping. `canAcknowledge` and `canSilence` are false for a viewer,
 * who is offered neither Acknowledge nor a silence.
 */
export function AlertsPage(props: {
  api: Api;
  feed: AlertFeed;
  canAcknowledge: boolean;
  canSilence: boolean;
}) {
  const { api, feed, canAcknowledge, canSilence } = props;
  const [filter, setFilter] = useState<'all' | 'firing'>('all');
  const [now, setNow] = useState(Date.now());
  // Ages ("3 min ago") move on even when no alert arrives.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  const shown = filter === 'all' ? feed.alerts : feed.alerts.filter((a) => a.status === 'FIRING');
  const firing = feed.alerts.filter((alert) => alert.status === 'FIRING').length;

  return (
    <section aria-labelledby="alerts-heading">
      <div class="section-head">
        <h1 id="alerts-heading">Alerts</h1>
        <p class="summary">
          {firing === 0 ? 'Nothing firing' : `${firing} firing`} · {feed.alerts.length} shown
        </p>
        <fieldset class="segmented">
          <legend class="visually-hidden">Show</legend>
          {(['all', 'firing'] as const).map((value) => (
            <label key={value}>
              <input
                type="radio"
                name="alert-filter"
                value={value}
                checked={filter === value}
                onChange={() => setFilter(value)}
              />
              {value === 'all' ? 'All' : 'Firing'}
            </label>
          ))}
        </fieldset>
      </div>
      {feed.problems.map((problem) => (
        <p key={problem} class="problem" role="alert">
          {problem}
        </p>
      ))}
      {shown.length === 0 ? (
        <p class="empty">
          {filter === 'all'
            ? 'No alerts yet. They appear here the moment a rule fires.'
            : 'Nothing is firing.'}
        </p>
      ) : (
        <ol class="alert-list" aria-label="Alerts, newest first">
          {shown.map((alert) => (
            <AlertItem
              key={alert.id}
              api={api}
              alert={alert}
              now={now}
              feed={feed}
              canAcknowledge={canAcknowledge}
              canSilence={canSilence}
            />
          ))}
        </ol>
      )}
    </section>
  );
}

function AlertItem(props: {
  api: Api;
  alert: FeedAlert;
  now: number;
  feed: AlertFeed;
  canAcknowledge: boolean;
  canSilence: boolean;
}) {
  const { api, alert, now, feed, canAcknowledge, canSilence } = props;
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const title = alert.ruleName ?? `${alert.metric} ${condition(alert.operator, alert.threshold)}`;
  const silence = useSilenceFromAlert(api, alert, title, canSilence);
  const acknowledgeable = canAcknowledge && needsAttention(alert);
  const state =
    alert.status === 'RESOLVED' ? 'resolved' : alert.acknowledgedAt ? 'acked' : 'firing';

  const acknowledge = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await feed.acknowledge(alert.id);
    } catch (error) {
      setProblem(`Not acknowledged: ${errorText(error)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li
      class={`alert-item severity-${alert.severity.toLowerCase()} state-${state}`}
      data-alert-id={alert.id}
      data-status={alert.status}
    >
      <div class="alert-main">
        <span class={`badge severity-${alert.severity.toLowerCase()}`}>{alert.severity}</span>
        <span class="badge status">
          {alert.status}
          {alert.acknowledgedAt && alert.status === 'FIRING' ? ' · ACKNOWLEDGED' : ''}
        </span>
        <AlertMarks alert={alert} />
        <strong class="alert-title">{title}</strong>
      </div>
      <p class="alert-detail">
        <a href={deviceHref(alert.deviceId)}>{alert.deviceId}</a> · {alert.metric}{' '}
        {alert.reason === 'NO_DATA'
          ? 'stopped reporting'
          : `= ${alert.value} (rule ${condition(alert.operator, alert.threshold)})`}
      </p>
      <p class="alert-times">
        <time dateTime={alert.firedAt} title={dateTime(alert.firedAt)}>
          fired {age(alert.firedAt, now)}
        </time>
        {alert.resolvedAt && <> · resolved {dateTime(alert.resolvedAt)}</>}
        {alert.acknowledgedAt && (
          <>
            {' '}
            · acknowledged by {alert.acknowledgedBy ?? 'someone'} at{' '}
            {dateTime(alert.acknowledgedAt)}
          </>
        )}
      </p>
      {(acknowledgeable || silence.buttons) && (
        <div class="actions">
          {acknowledgeable && (
            <button type="button" onClick={acknowledge} disabled={busy}>
              {busy ? 'Acknowledging…' : 'Acknowledge'}
            </button>
          )}
          {silence.buttons}
        </div>
      )}
      {silence.panel}
      <Problem text={problem} />
    </li>
  );
}
