import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type {
  MaintenanceWindowFieldsFragment,
  MaintenanceWindowsQuery,
} from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { matchersText } from './alert-matchers-draft.ts';
import { ConfirmedAction } from './confirmed-action.tsx';
import { errorText } from './error-text.ts';
import { dateTime } from './format.ts';
import { deleteMaintenanceWindowMutation, maintenanceWindowsQuery } from './operations.ts';
import { Problem } from './problem.tsx';
import { useRuleNames } from './use-rule-names.ts';
import { periodText } from './window-draft.ts';
import { WindowForm } from './window-form.tsx';

type Window = MaintenanceWindowFieldsFragment;

/** How often the windows are read again while the page is open: MUTING NOW follows the clock. */
const REFRESH_MS = 30_000;

/** Every maintenance window, page by page (windows are few: operators write them by hand). */
async function allWindows(api: Api): Promise<Window[]> {
  const windows: Window[] = [];
  let nextToken: string | null = null;
  do {
    const page: MaintenanceWindowsQuery = await api.request(maintenanceWindowsQuery, {
      limit: 100,
      nextToken,
    });
    windows.push(...page.maintenanceWindows.items);
    nextToken = page.maintenanceWindows.nextToken;
  } while (nextToken);
  return windows;
}

/**
 * Maintenance windows: recurring weekly times, in a time zone, when the alerts they match
 * are recorded but not e-mailed. List, create, edit, delete; viewers see the list only.
 */
export function MaintenancePage({ api, canChange }: { api: Api; canChange: boolean }) {
  const [windows, setWindows] = useState<Window[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const [status, setStatus] = useState('');
  const { rules, ruleName } = useRuleNames(api);
  const newButton = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const reload = useCallback(async () => {
    try {
      setWindows(await allWindows(api));
      setProblem(null);
    } catch (error) {
      setProblem(`Could not load maintenance windows: ${errorText(error)}`);
    }
  }, [api]);

  useEffect(() => {
    void reload();
    const timer = setInterval(() => void reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  /** Once a form has gone, focus goes back to the button it came from, not to <body>. */
  const closeForm = () => {
    const from = editing;
    setEditing(null);
    requestAnimationFrame(() =>
      (from === 'new' || from === null
        ? newButton.current
        : document.querySelector<HTMLButtonElement>(`[data-window-id="${CSS.escape(from)}"] .edit`)
      )?.focus(),
    );
  };
  const saved = (window: Window, verb: string) => {
    closeForm();
    setStatus(`Maintenance window ${window.name} ${verb}.`);
    void reload();
  };

  return (
    <section aria-labelledby="maintenance-heading">
      <div class="section-head">
        <h1 id="maintenance-heading" ref={heading} tabIndex={-1}>
          Maintenance windows
        </h1>
        {canChange && editing !== 'new' && (
          <button type="button" ref={newButton} onClick={() => setEditing('new')}>
            New window
          </button>
        )}
      </div>
      <p class="hint">
        Planned work, every week: while a window is open, the alerts it matches are recorded and
        shown, not e-mailed.
      </p>
      <p class="visually-hidden" role="status">
        {status}
      </p>
      <Problem text={problem} />
      {editing === 'new' && (
        <WindowForm
          api={api}
          rules={rules}
          onSaved={(window) => saved(window, 'created')}
          onCancel={closeForm}
        />
      )}
      {windows === null ? (
        <p class="empty">Loading maintenance windows…</p>
      ) : windows.length === 0 ? (
        <p class="empty">No maintenance windows.</p>
      ) : (
        <ul class="rule-list window-list" aria-label="Maintenance windows">
          {windows.map((window) =>
            editing === window.id ? (
              <li key={window.id} class="rule-item editing" data-window-id={window.id}>
                <WindowForm
                  api={api}
                  window={window}
                  rules={rules}
                  onSaved={(updated) => saved(updated, 'saved')}
                  onCancel={closeForm}
                />
              </li>
            ) : (
              <WindowItem
                key={window.id}
                api={api}
                window={window}
                ruleName={ruleName}
                canChange={canChange}
                onEdit={() => setEditing(window.id)}
                onDeleted={() => {
                  setStatus(`Maintenance window ${window.name} deleted.`);
                  setWindows((shown) => (shown ?? []).filter((w) => w.id !== window.id));
                  heading.current?.focus();
                }}
              />
            ),
          )}
        </ul>
      )}
    </section>
  );
}

function WindowItem(props: {
  api: Api;
  window: Window;
  ruleName(id: string): string | null;
  canChange: boolean;
  onEdit(): void;
  onDeleted(): void;
}) {
  const { api, window, ruleName, canChange, onEdit, onDeleted } = props;
  const [problem, setProblem] = useState<string | null>(null);

  const remove = async () => {
    setProblem(null);
    try {
      await api.request(deleteMaintenanceWindowMutation, { id: window.id });
      onDeleted();
      return true;
    } catch (error) {
      setProblem(errorText(error));
      return false;
    }
  };
  const dates =
    window.startsOn || window.endsOn
      ? ` · ${window.startsOn ? `from ${window.startsOn}` : ''}${
          window.startsOn && window.endsOn ? ' ' : ''
        }${window.endsOn ? `to ${window.endsOn}` : ''}`
      : '';
  const changed = window.updatedBy !== null && window.updatedAt !== window.createdAt;

  return (
    <li
      class={`rule-item window-item ${window.active ? 'active' : ''}`}
      data-window-id={window.id}
      data-active={window.active ? 'true' : 'false'}
    >
      <div class="rule-main">
        {window.active && <span class="badge status muting">MUTING NOW</span>}
        <strong>{window.name}</strong>
      </div>
      <ul class="periods-text" aria-label={`When ${window.name} is open`}>
        {window.periods.map((period, index) => (
          <li key={index}>{periodText(period)}</li>
        ))}
      </ul>
      <p class="rule-detail">
        {window.timeZone}
        {dates}
        {window.notifyResolved ? '' : ' · resolutions not notified'}
      </p>
      <p class="rule-detail">Mutes {matchersText(window.matchers, ruleName).join(' · ')}</p>
      <p class="rule-detail">
        Created by {window.createdBy}
        {changed && ` · changed last by ${window.updatedBy} at ${dateTime(window.updatedAt)}`}
      </p>
      {canChange && (
        <div class="actions">
          <button type="button" class="edit" onClick={onEdit}>
            Edit
          </button>
          <ConfirmedAction
            label="Delete"
            question="Delete this window? Alerts it holds that still fire are notified."
            confirmLabel="Yes, delete"
            onConfirm={remove}
          />
        </div>
      )}
      <Problem text={problem} />
    </li>
  );
}
