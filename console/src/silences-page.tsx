import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type {
  MaintenanceWindowFieldsFragment,
  SilenceFieldsFragment,
  SilenceState,
} from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { matchersText } from './alert-matchers-draft.ts';
import { ConfirmedAction } from './confirmed-action.tsx';
import { errorText } from './error-text.ts';
import { dateTime } from './format.ts';
import { LatestLoad } from './latest-load.ts';
import {
  expireSilenceMutation,
  maintenanceWindowQuery,
  silenceQuery,
  silencesQuery,
} from './operations.ts';
import { Problem } from './problem.tsx';
import { SilenceForm } from './silence-form.tsx';
import { useRuleNames } from './use-rule-names.ts';

type Silence = SilenceFieldsFragment;

/** Silences fetched per page; "More" fetches the next. */
const PAGE_SIZE = 50;
/**
 * How often the list is read again while the page is open: a silence moves from pending to
 * active to expired by time alone, with no write to announce it.
 */
const REFRESH_MS = 30_000;

const stateNames: Record<SilenceState, string> = {
  ACTIVE: 'Active',
  PENDING: 'Pending',
  EXPIRED: 'Expired',
};

/**
 * Silences: active, pending (starting later) and expired, each a tab; a new one; expiring one
 * early. `silenceId` (from `#/silences/<id>`, an alert's link) shows that silence, or the
 * maintenance window of that id, above the tabs. Viewers see the lists without controls.
 * The tab is read again every 30 seconds, unless the operator has paged on with More.
 */
export function SilencesPage(props: { api: Api; silenceId: string | null; canChange: boolean }) {
  const { api, silenceId, canChange } = props;
  const [state, setState] = useState<SilenceState>('ACTIVE');
  const [silences, setSilences] = useState<Silence[] | null>(null);
  const [nextToken, setNextToken] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [status, setStatus] = useState('');
  const [reloads, setReloads] = useState(0);
  const { rules, ruleName } = useRuleNames(api);
  const loads = useMemo(() => new LatestLoad(), []);
  const heading = useRef<HTMLHeadingElement>(null);
  const newButton = useRef<HTMLButtonElement>(null);

  // The tab the list shows, and whether More has added pages to it (a refresh would drop them).
  const shownState = useRef<SilenceState | null>(null);
  const pagedOn = useRef(false);

  useEffect(() => {
    if (shownState.current !== state) {
      setSilences(null);
      pagedOn.current = false;
    }
    shownState.current = state;
    void loads.run(
      () => api.request(silencesQuery, { state, limit: PAGE_SIZE, nextToken: null }),
      (page) => {
        setSilences(page.silences.items);
        setNextToken(page.silences.nextToken);
        setProblem(null);
      },
      (error) => setProblem(`Could not load silences: ${errorText(error)}`),
    );
  }, [api, state, loads, reloads]);
  useEffect(() => () => loads.cancel(), [loads]);
  useEffect(() => {
    const timer = setInterval(() => {
      if (!loads.busy && !pagedOn.current) setReloads((n) => n + 1);
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [loads]);

  const more = async () => {
    if (nextToken === null) return;
    setLoadingMore(true);
    await loads.run(
      () => api.request(silencesQuery, { state, limit: PAGE_SIZE, nextToken }),
      (page) => {
        pagedOn.current = true;
        setSilences((shown) => [...(shown ?? []), ...page.silences.items]);
        setNextToken(page.silences.nextToken);
        setStatus(`${page.silences.items.length} more silences shown.`);
      },
      (error) => setProblem(`Could not load more silences: ${errorText(error)}`),
    );
    setLoadingMore(false);
  };

  const created = (silence: Silence) => {
    setCreating(false);
    setStatus(`Silence created, ${silence.state.toLowerCase()} until ${dateTime(silence.endsAt)}.`);
    setState(silence.state);
    setReloads((n) => n + 1);
    requestAnimationFrame(() => newButton.current?.focus());
  };

  return (
    <section aria-labelledby="silences-heading">
      <div class="section-head">
        <h1 id="silences-heading" ref={heading} tabIndex={-1}>
          Silences
        </h1>
        {canChange && !creating && (
          <button type="button" ref={newButton} onClick={() => setCreating(true)}>
            New silence
          </button>
        )}
      </div>
      <p class="hint">
        A silence holds the notifications of the alerts it matches: they are still recorded and
        shown here, not e-mailed. When it ends, an alert still firing is notified once.
      </p>
      <p class="visually-hidden" role="status">
        {status}
      </p>
      {silenceId !== null && (
        <MuteShown
          key={silenceId}
          api={api}
          id={silenceId}
          ruleName={ruleName}
          canChange={canChange}
          onExpired={(expired) => {
            setStatus(`Silence expired at ${dateTime(expired.expiredAt ?? expired.endsAt)}.`);
            setReloads((n) => n + 1);
          }}
        />
      )}
      {creating && (
        <SilenceForm
          api={api}
          title="New silence"
          rules={rules}
          onSaved={created}
          onCancel={() => {
            setCreating(false);
            requestAnimationFrame(() => newButton.current?.focus());
          }}
        />
      )}
      <fieldset class="segmented">
        <legend class="visually-hidden">Show</legend>
        {(['ACTIVE', 'PENDING', 'EXPIRED'] as const).map((value) => (
          <label key={value}>
            <input
              type="radio"
              name="silence-state"
              value={value}
              checked={state === value}
              onChange={() => setState(value)}
            />
            {stateNames[value]}
          </label>
        ))}
      </fieldset>
      <Problem text={problem} />
      {silences === null ? (
        <p class="empty">Loading silences…</p>
      ) : silences.length === 0 ? (
        <p class="empty">
          {state === 'ACTIVE'
            ? 'No silence is muting alerts now.'
            : state === 'PENDING'
              ? 'No silence is waiting to start.'
              : 'No silence has ended recently.'}
        </p>
      ) : (
        <ul class="rule-list silence-list" aria-label={`${stateNames[state]} silences`}>
          {silences.map((silence) => (
            <SilenceItem
              key={silence.id}
              api={api}
              silence={silence}
              ruleName={ruleName}
              canChange={canChange}
              onExpired={(expired) => {
                setStatus(`Silence expired at ${dateTime(expired.expiredAt ?? expired.endsAt)}.`);
                setSilences((shown) => (shown ?? []).filter((s) => s.id !== expired.id));
                heading.current?.focus();
              }}
            />
          ))}
        </ul>
      )}
      {nextToken !== null && silences !== null && (
        <button type="button" class="more" disabled={loadingMore} onClick={() => void more()}>
          {loadingMore ? 'Loading…' : 'More'}
        </button>
      )}
    </section>
  );
}

function SilenceItem(props: {
  api: Api;
  silence: Silence;
  ruleName(id: string): string | null;
  canChange: boolean;
  onExpired(silence: Silence): void;
}) {
  const { silence, ruleName } = props;
  return (
    <li
      class={`rule-item silence-item state-${silence.state.toLowerCase()}`}
      data-silence-id={silence.id}
      data-state={silence.state}
    >
      <SilenceSummary silence={silence} ruleName={ruleName} />
      <SilenceExpiry {...props} />
    </li>
  );
}

/** Expire, with a confirmation, for a silence not expired yet; nothing for a viewer. */
function SilenceExpiry(props: {
  api: Api;
  silence: Silence;
  canChange: boolean;
  onExpired(silence: Silence): void;
}) {
  const { api, silence, canChange, onExpired } = props;
  const [problem, setProblem] = useState<string | null>(null);
  if (!canChange || silence.state === 'EXPIRED') return null;

  const expire = async () => {
    setProblem(null);
    try {
      const result = await api.request(expireSilenceMutation, { id: silence.id });
      onExpired(result.expireSilence);
      return true;
    } catch (error) {
      setProblem(errorText(error));
      return false;
    }
  };

  return (
    <>
      <div class="actions">
        <ConfirmedAction
          label="Expire"
          question={
            silence.state === 'ACTIVE'
              ? 'End this silence now? Alerts it holds that still fire are notified.'
              : 'Cancel this silence before it starts?'
          }
          confirmLabel="Yes, expire"
          onConfirm={expire}
        />
      </div>
      <Problem text={problem} />
    </>
  );
}

/** A silence's matchers, times, comment and history, as its list item and its own view show it. */
function SilenceSummary(props: { silence: Silence; ruleName(id: string): string | null }) {
  const { silence, ruleName } = props;
  return (
    <>
      <div class="rule-main">
        <span class={`badge status silence-${silence.state.toLowerCase()}`}>{silence.state}</span>
        <strong>{matchersText(silence.matchers, ruleName).join(' · ')}</strong>
      </div>
      <p class="rule-detail">
        {dateTime(silence.startsAt)} – {dateTime(silence.endsAt)}
        {silence.notifyResolved ? '' : ' · resolutions not notified'}
      </p>
      <p class="rule-description">{silence.comment}</p>
      <p class="rule-detail">
        Created by {silence.createdBy}
        {silence.expiredAt && ` · expired by ${silence.expiredBy ?? 'someone'}`}
      </p>
    </>
  );
}

/**
 * The silence an alert links to, with Expire for operators and admins, or the maintenance
 * window of that id (an alert's `silenceId` names either), or a word when neither exists any
 * more.
 */
function MuteShown(props: {
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
