import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import type { FeedAlert } from './alert-feed.ts';
import { isOpen, needsAttention } from './alert-feed.ts';
import { AlertMarks } from './alert-marks.tsx';
import { errorText } from './error-text.ts';
import { age, condition, dateTime, deviceHref } from './format.ts';
import { useSilenceFromAlert } from './silence-from-alert.tsx';
import type { AlertFeed } from './use-alert-feed.ts';
import { Problem } from './problem.tsx';

/** How long Snooze snoozes an alert. */
const SNOOZE_SECONDS = 3600;

/** What each status says in words, beside it (docs/alert-states.md). */
const statusWords: Record<FeedAlert['status'], string> = {
  FIRING: 'the condition holds',
  ACKNOWLEDGED: 'the condition holds; someone is on it',
  LATCHED: 'the condition cleared; it resolves when acknowledged',
  RESOLVED: 'over',
};

/**
 * The live feed, newest first: what fires, what latched, what resolved, who is on it, and
 * which alerts a silence holds or are flapping. `canHandle` and `canSilence` are false for a
 * viewer, who is offered neither Acknowledge, Snooze, Reset nor a silence.
 */
export function AlertsPage(props: {
  api: Api;
  feed: AlertFeed;
  canHandle: boolean;
  canSilence: boolean;
}) {
  const { api, feed, canHandle, canSilence } = props;
  const [filter, setFilter] = useState<'all' | 'open'>('all');
  const [now, setNow] = useState(Date.now());
  // Ages ("3 min ago") move on even when no alert arrives.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  const shown = filter === 'all' ? feed.alerts : feed.alerts.filter(isOpen);
  const open = feed.alerts.filter(isOpen).length;

  return (
    <section aria-labelledby="alerts-heading">
      <div class="section-head">
        <h1 id="alerts-heading">Alerts</h1>
        <p class="summary">
          {open === 0 ? 'Nothing open' : `${open} open`} · {feed.alerts.length} shown
        </p>
        <fieldset class="segmented">
          <legend class="visually-hidden">Show</legend>
          {(['all', 'open'] as const).map((value) => (
            <label key={value}>
              <input
                type="radio"
                name="alert-filter"
                value={value}
                checked={filter === value}
                onChange={() => setFilter(value)}
              />
              {value === 'all' ? 'All' : 'Open'}
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
            : 'Nothing is open: no alert is firing, acknowledged or latched.'}
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
              canHandle={canHandle}
              canSilence={canSilence}
            />
          ))}
        </ol>
      )}
    </section>
  );
}

/** An action on one alert the page offers, and what its button says while it runs. */
type Action = 'acknowledge' | 'snooze' | 'reset';
const actionText: Record<Action, { idle: string; busy: string; failed: string }> = {
  acknowledge: { idle: 'Acknowledge', busy: 'Acknowledging…', failed: 'Not acknowledged' },
  snooze: { idle: 'Snooze 1 h', busy: 'Snoozing…', failed: 'Not snoozed' },
  reset: { idle: 'Reset', busy: 'Resetting…', failed: 'Not reset' },
};

function AlertItem(props: {
  api: Api;
  alert: FeedAlert;
  now: number;
  feed: AlertFeed;
  canHandle: boolean;
  canSilence: boolean;
}) {
  const { api, alert, now, feed, canHandle, canSilence } = props;
  const [busy, setBusy] = useState<Action | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const title = alert.ruleName ?? `${alert.metric} ${condition(alert.operator, alert.threshold)}`;
  const silence = useSilenceFromAlert(api, alert, title, canSilence);
  const open = isOpen(alert);
  // Acknowledge while someone should pick it up; Snooze and Reset while it is open.
  const actions: Action[] = canHandle
    ? [
        ...(needsAttention(alert) ? (['acknowledge'] as const) : []),
        ...(open ? (['snooze', 'reset'] as const) : []),
      ]
    : [];
  const state = alert.status.toLowerCase();

  const run = async (action: Action) => {
    setBusy(action);
    setProblem(null);
    try {
      if (action === 'acknowledge') await feed.acknowledge(alert.id);
      else if (action === 'snooze') await feed.snooze(alert.id, SNOOZE_SECONDS);
      else await feed.reset(alert.id);
    } catch (error) {
      setProblem(`${actionText[action].failed}: ${errorText(error)}`);
    } finally {
      setBusy(null);
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
        <span class={`badge status status-${state}`} title={statusWords[alert.status]}>
          {alert.status}
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
        {alert.resolvedAt && (
          <>
            {' '}
            · resolved {dateTime(alert.resolvedAt)}
            {alert.resolution ? ` (${alert.resolution})` : ''}
          </>
        )}
        {alert.acknowledgedAt && (
          <>
            {' '}
            · acknowledged by {alert.acknowledgedBy ?? 'someone'} at{' '}
            {dateTime(alert.acknowledgedAt)}
          </>
        )}
      </p>
      {alert.status === 'LATCHED' && <p class="alert-note">{capitalised(statusWords.LATCHED)}.</p>}
      {(actions.length > 0 || silence.buttons) && (
        <div class="actions">
          {actions.map((action) => (
            <button
              key={action}
              type="button"
              class={action}
              onClick={() => void run(action)}
              disabled={busy !== null}
            >
              {busy === action ? actionText[action].busy : actionText[action].idle}
            </button>
          ))}
          {silence.buttons}
        </div>
      )}
      {silence.panel}
      <Problem text={problem} />
    </li>
  );
}

function capitalised(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
