import { useEffect, useState } from 'preact/hooks';
import type {
  MaintenanceWindowFieldsFragment,
  SilenceFieldsFragment,
} from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { errorText } from './error-text.ts';
import { maintenanceWindowQuery, silenceQuery } from './operations.ts';
import { Problem } from './problem.tsx';
import { SilenceExpiry, SilenceSummary } from './silence-item.tsx';

type Silence = SilenceFieldsFragment;

/**
 * The silence an alert links to, with Expire for operators and admins, or the maintenance
 * window of that id (an alert's `silenceId` names either), or a word when neither exists any
 * more.
 */
export function MuteShown(props: {
  api: Api;
  id: string;
  ruleName(id: string): string | null;
  canChange: boolean;
  onExpired(silence: Silence): void;
}) {
  const { api, id, ruleName, canChange, onExpired } = props;
  const [found, setFound] = useState<
    | { silence: Silence }
    | { window: MaintenanceWindowFieldsFragment }
    | { missing: true }
    | { problem: string }
    | null
  >(null);

  useEffect(() => {
    let current = true;
    (async () => {
      const { silence } = await api.request(silenceQuery, { id });
      if (silence) return { silence };
      const { maintenanceWindow } = await api.request(maintenanceWindowQuery, { id });
      return maintenanceWindow ? { window: maintenanceWindow } : { missing: true as const };
    })().then(
      (result) => current && setFound(result),
      (error: unknown) =>
        current && setFound({ problem: `Could not load ${id}: ${errorText(error)}` }),
    );
    return () => {
      current = false;
    };
  }, [api, id]);

  return (
    <div class="mute-shown" aria-labelledby="mute-shown-heading" role="region">
      <h2 id="mute-shown-heading">Holding an alert</h2>
      {found === null ? (
        <p class="empty">Loading…</p>
      ) : 'silence' in found ? (
        <div class="mute-card" data-silence-id={found.silence.id} data-state={found.silence.state}>
          <SilenceSummary silence={found.silence} ruleName={ruleName} />
          <SilenceExpiry
            api={api}
            silence={found.silence}
            canChange={canChange}
            onExpired={(expired) => {
              setFound({ silence: expired });
              onExpired(expired);
            }}
          />
        </div>
      ) : 'window' in found ? (
        <p>
          Maintenance window <a href="#/maintenance">{found.window.name}</a>
          {found.window.active ? ', muting now.' : ', not muting now.'}
        </p>
      ) : 'missing' in found ? (
        <p class="empty">No silence or maintenance window {id} any more.</p>
      ) : (
        <Problem text={found.problem} />
      )}
    </div>
  );
}
