import type { DeviceFieldsFragment } from '../../generated/console-operations.ts';
import type { LabelPair } from './label-text.ts';

/** Open alerts and the worst severity firing, with the alert feed's severity badges. */
export function Health({ device }: { device: DeviceFieldsFragment }) {
  if (device.openAlerts === 0) return <span class="badge health-ok">OK</span>;
  const severity = device.worstSeverity ?? 'WARNING';
  return (
    <span class={`badge severity-${severity.toLowerCase()}`} data-open-alerts={device.openAlerts}>
      {severity} · {device.openAlerts} open {device.openAlerts === 1 ? 'alert' : 'alerts'}
    </span>
  );
}

/** A device's labels as `key=value` chips, in the order the API lists them (by key). */
export function LabelChips({ labels, name }: { labels: readonly LabelPair[]; name: string }) {
  return (
    <ul class="labels" aria-label={name}>
      {labels.map(({ key, value }) => (
        <li key={key}>
          <code>
            {key}={value}
          </code>
        </li>
      ))}
    </ul>
  );
}
