import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type {
  AlertFieldsFragment,
  DeviceFieldsFragment,
} from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { chartModel } from './chart-model.ts';
import { Health, LabelChips } from './device-badges.tsx';
import { Chart } from './chart.tsx';
import { DeviceEditor } from './device-editor.tsx';
import type { Reading } from './device-readings.ts';
import { MAX_READINGS, readingsSince } from './device-readings.ts';
import { errorText } from './error-text.ts';
import { age, condition, dateTime } from './format.ts';
import { selectorText } from './label-text.ts';
import { LatestLoad } from './latest-load.ts';
import { alertsQuery, deviceQuery } from './operations.ts';
import { allRules } from './rule-list.ts';
import type { ApplyingRule } from './rules-that-apply.ts';
import { rulesThatApply } from './rules-that-apply.ts';
import type { AlertFeed } from './use-alert-feed.ts';
import { Problem } from './problem.tsx';

/** Time ranges a device's charts can show, in minutes. */
const RANGES = [15, 60, 360, 1440] as const;
/** How often readings are fetched again while the page is open. */
const REFRESH_MS = 5_000;

/**
 * Picks a device, then shows its labels, the rules that apply to it and its charts.
 * `canChange`: the user may name and label the device.
 */
export function DevicePage(props: {
  api: Api;
  feed: AlertFeed;
  deviceId: string | null;
  canChange: boolean;
}) {
  const { api, feed, deviceId, canChange } = props;
  const recent = [...new Set(feed.alerts.map((alert) => alert.deviceId))].slice(0, 12);
  const [typed, setTyped] = useState(deviceId ?? '');

  return (
    <section aria-labelledby="device-heading">
      <div class="section-head">
        <h1 id="device-heading">{deviceId ? `Device ${deviceId}` : 'Devices'}</h1>
        <form
          class="inline-form"
          role="search"
          onSubmit={(event) => {
            event.preventDefault();
            if (typed.trim()) location.hash = `#/devices/${encodeURIComponent(typed.trim())}`;
          }}
        >
          <label for="device-id">Device id</label>
          <input
            id="device-id"
            type="search"
            value={typed}
            onInput={(e) => setTyped(e.currentTarget.value)}
          />
          <button type="submit">Show</button>
        </form>
      </div>
      {recent.length > 0 && (
        <nav aria-label="Devices with recent alerts" class="chips">
          {recent.map((id) => (
            <a key={id} href={`#/devices/${encodeURIComponent(id)}`} aria-current={id === deviceId}>
              {id}
            </a>
          ))}
        </nav>
      )}
      {deviceId ? (
        <DeviceCharts
          key={deviceId}
          api={api}
          feed={feed}
          deviceId={deviceId}
          canChange={canChange}
        />
      ) : (
        <p class="empty">Enter a device id, or pick a device that alerted recently.</p>
      )}
    </section>
  );
}

function DeviceCharts(props: { api: Api; feed: AlertFeed; deviceId: string; canChange: boolean }) {
  const { api, feed, deviceId, canChange } = props;
  const [minutes, setMinutes] = useState<number>(60);
  const [readings, setReadings] = useState<Reading[] | null>(null);
  const [truncated, setTruncated] = useState(false);
  // undefined until loaded; null when the inventory does not hold the device.
  const [device, setDevice] = useState<DeviceFieldsFragment | null | undefined>(undefined);
  const [applying, setApplying] = useState<ApplyingRule[]>([]);
  const [episodes, setEpisodes] = useState<AlertFieldsFragment[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const from = now - minutes * 60_000;
  const loads = useMemo(() => new LatestLoad(), []);

  const load = useCallback(() => {
    const at = Date.now();
    const since = new Date(at - minutes * 60_000).toISOString();
    return loads.run(
      () =>
        Promise.all([
          readingsSince(api, deviceId, since),
          allRules(api),
          api.request(alertsQuery, { deviceId, limit: 200, nextToken: null }),
          api.request(deviceQuery, { id: deviceId }),
        ]),
      ([fetched, allRulesNow, alerts, found]) => {
        setReadings(fetched.readings);
        setTruncated(fetched.truncated);
        setDevice(found.device);
        setApplying(
          rulesThatApply({ id: deviceId, labels: found.device?.labels ?? [] }, allRulesNow),
        );
        setEpisodes(alerts.alerts.items);
        setNow(at);
        setProblem(null);
      },
      (error) => setProblem(`Could not load the device: ${errorText(error)}`),
    );
  }, [api, deviceId, loads, minutes]);

  // Refresh on a timer, and at once when an alert for this device is pushed. A tick is skipped
  // while a load is still out, and while the page is hidden; it catches up once shown again.
  const pushed = feed.alerts.find((alert) => alert.deviceId === deviceId);
  const pushedKey = pushed ? `${pushed.id}:${pushed.status}:${pushed.acknowledgedAt}` : '';
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
  }, [load, loads, pushedKey]);

  useEffect(() => () => loads.cancel(), [loads]);

  const rules = useMemo(() => applying.map(({ rule }) => rule), [applying]);
  const metrics = useMemo(() => {
    const names = new Set((readings ?? []).map((reading) => reading.metric));
    for (const rule of rules) names.add(rule.metric);
    return [...names].sort();
  }, [readings, rules]);

  return (
    <>
      {device !== undefined && (
        <DeviceSummary
          api={api}
          deviceId={deviceId}
          device={device}
          applying={applying}
          canChange={canChange}
          onSaved={() => void load()}
        />
      )}
      <fieldset class="segmented">
        <legend>Range</legend>
        {RANGES.map((value) => (
          <label key={value}>
            <input
              type="radio"
              name="range"
              checked={minutes === value}
              onChange={() => setMinutes(value)}
            />
            {value < 60 ? `${value} min` : `${value / 60} h`}
          </label>
        ))}
      </fieldset>
      <Problem text={problem} />
      {truncated && (
        <p class="hint">
          Showing the newest {MAX_READINGS.toLocaleString()} readings of this range; older ones are
          left out. Pick a shorter range to see them all.
        </p>
      )}
      {readings === null ? (
        <p class="empty">Loading readings…</p>
      ) : metrics.length === 0 ? (
        <p class="empty">No readings from {deviceId} in this range, and no rules for it.</p>
      ) : (
        metrics.map((metric) => {
          const metricRules = rules.filter((rule) => rule.metric === metric);
          const model = chartModel({
            from,
            to: now,
            readings: readings.filter((reading) => reading.metric === metric),
            rules: metricRules,
            episodes: episodes.filter((alert) => alert.metric === metric),
          });
          // The model keeps only readings inside the drawn range: those are the ones counted.
          const count = model.points.length;
          return (
            <Chart
              key={metric}
              metric={metric}
              heading={metric}
              title={`${metric} on ${deviceId}`}
              caption={`${count} reading${count === 1 ? '' : 's'}`}
              model={model}
            />
          );
        })
      )}
    </>
  );
}

const scopeText = { device: 'this device', every: 'every device', selector: 'labels' } as const;

/**
 * What the inventory holds of the device (name, labels, last seen, health) and the rules that
 * apply to it, with why: written for it, for every device, or its labels match a selector.
 */
function DeviceSummary(props: {
  api: Api;
  deviceId: string;
  device: DeviceFieldsFragment | null;
  applying: ApplyingRule[];
  canChange: boolean;
  onSaved(): void;
}) {
  const { api, deviceId, device, applying, canChange, onSaved } = props;
  const [editing, setEditing] = useState(false);
  return (
    <div class="device-summary">
      {device === null ? (
        <p class="empty">
          {deviceId} is not in the inventory: it has sent no reading since it was added or removed.
          Rules for every device and its own rules are shown.
        </p>
      ) : editing ? (
        <DeviceEditor
          api={api}
          device={device}
          onSaved={() => {
            setEditing(false);
            onSaved();
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <>
          <p class="device-detail">
            {device.name !== null && <strong>{device.name} · </strong>}
            <Health device={device} /> Last seen{' '}
            <span title={dateTime(device.lastSeenAt)}>{age(device.lastSeenAt, Date.now())}</span>,
            first seen {dateTime(device.firstSeenAt)}
          </p>
          <h2 id="device-labels-heading">Labels</h2>
          {device.labels.length === 0 ? (
            <p class="empty">No labels.</p>
          ) : (
            <LabelChips labels={device.labels} name={`Labels of ${deviceId}`} />
          )}
          {canChange && (
            <button type="button" class="edit" onClick={() => setEditing(true)}>
              Edit name and labels
            </button>
          )}
        </>
      )}
      <h2 id="device-rules-heading">Rules that apply</h2>
      {applying.length === 0 ? (
        <p class="empty">No rule applies to this device.</p>
      ) : (
        <ul class="applying-rules" aria-labelledby="device-rules-heading">
          {applying.map(({ rule, scope }) => (
            <li key={rule.id} data-rule-id={rule.id} data-scope={scope}>
              <span class={`badge severity-${rule.severity.toLowerCase()}`}>{rule.severity}</span>{' '}
              <a href="#/rules">{rule.name ?? rule.metric}</a>: {rule.metric}{' '}
              {condition(rule.operator, rule.threshold)}
              {!rule.enabled && ' (disabled)'} ·{' '}
              {scope === 'selector' && rule.selector
                ? `labels ${selectorText(rule.selector)}`
                : scopeText[scope]}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
