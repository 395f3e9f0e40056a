import type { FeedAlert } from './alert-feed.ts';

/** Where an alert's silence (or maintenance window) is shown. */
export function silenceHref(silenceId: string): string {
  return `#/silences/${encodeURIComponent(silenceId)}`;
}

/**
 * Why an alert is not being e-mailed, beside its severity and status: SILENCED (a link to the
 * silence or maintenance window holding it) and FLAPPING (its single fire and resolve
 * notifications are replaced by one when flapping starts and one when it stops).
 */
export function AlertMarks({ alert }: { alert: FeedAlert }) {
  return (
    <>
      {alert.silenced &&
        (alert.silenceId ? (
          <a class="badge silenced" href={silenceHref(alert.silenceId)}>
            SILENCED
          </a>
        ) : (
          <span class="badge silenced">SILENCED</span>
        ))}
      {alert.flapping && <span class="badge flapping">FLAPPING</span>}
    </>
  );
}
