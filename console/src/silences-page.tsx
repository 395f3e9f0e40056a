import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SilenceFieldsFragment, SilenceState } from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { errorText } from './error-text.ts';
import { dateTime } from './format.ts';
import { LatestLoad } from './latest-load.ts';
import { MuteShown } from './mute-shown.tsx';
import { silencesQuery } from './operations.ts';
import { Problem } from './problem.tsx';
import { SilenceForm } from './silence-form.tsx';
import { SilenceItem } from './silence-item.tsx';
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
