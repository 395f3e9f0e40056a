import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'preact/hooks';
import type { DeviceFieldsFragment, DeviceFilter } from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { ConfirmedAction } from './confirmed-action.tsx';
import { Health, LabelChips } from './device-badges.tsx';
import { DeviceEditor } from './device-editor.tsx';
import { errorText } from './error-text.ts';
import { age, dateTime, deviceHref } from './format.ts';
import { LatestLoad } from './latest-load.ts';
import type { FilterProblem, MatcherRow } from './matcher-draft.ts';
import { deviceFilter, filterProblem } from './matcher-draft.ts';
import { MatcherRows } from './matcher-rows.tsx';
import { deleteDeviceMutation, devicesQuery } from './operations.ts';
import { DEFAULT_STALE_MINUTES, isStale, MAX_STALE_MINUTES, staleMinutesOf } from './staleness.ts';
import { Problem } from './problem.tsx';

type Device = DeviceFieldsFragment;

/** Devices fetched per page; "More" fetches the next. */
const PAGE_SIZE = 50;
/** Where the operator's stale threshold is kept between visits. */
const STALE_KEY = 'console.staleMinutes';
/** How often "last seen" ages and stale marks are brought up to date while the page is open. */
const TICK_MS = 30_000;

function storedStaleMinutes(): number {
  try {
    return staleMinutesOf(localStorage.getItem(STALE_KEY) ?? '') ?? DEFAULT_STALE_MINUTES;
  } catch {
    return DEFAULT_STALE_MINUTES;
  }
}

/**
 * The fleet: every device in the inventory with its labels, when it last reported (stale
 * ones marked) and its health (open alerts, the worst severity firing), searched by id or
 * name and filtered by labels. Operators and admins name, label and delete devices here.
 */
export function FleetPage({ api, canChange }: { api: Api; canChange: boolean }) {
  const [search, setSearch] = useState('');
  const [rows, setRows] = useState<MatcherRow[]>([]);
  const [filter, setFilter] = useState<DeviceFilter>({});
  const [filterRefused, setFilterRefused] = useState<FilterProblem | null>(null);
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [nextToken, setNextToken] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const [staleMinutes, setStaleMinutes] = useState(storedStaleMinutes);
  const [staleTyped, setStaleTyped] = useState(String(staleMinutes));
  const [now, setNow] = useState(Date.now());
  const loads = useMemo(() => new LatestLoad(), []);
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);

  const load = useCallback(
    () =>
      loads.run(
        () => api.request(devicesQuery, { filter, limit: PAGE_SIZE, nextToken: null }),
        (page) => {
          setDevices(page.devices.items);
          setNextToken(page.devices.nextToken);
          setNow(Date.now());
          setProblem(null);
        },
        (error) => setProblem(`Could not load devices: ${errorText(error)}`),
      ),
    [api, filter, loads],
  );

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => () => loads.cancel(), [loads]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, []);

  // Through the same LatestLoad, so a page of an earlier filter never joins a newer list.
  const more = async () => {
    if (nextToken === null) return;
    setLoadingMore(true);
    await loads.run(
      () => api.request(devicesQuery, { filter, limit: PAGE_SIZE, nextToken }),
      (page) => {
        setDevices((shown) => [...(shown ?? []), ...page.devices.items]);
        setNextToken(page.devices.nextToken);
        setStatus(`${page.devices.items.length} more devices shown.`);
      },
      (error) => setProblem(`Could not load more devices: ${errorText(error)}`),
    );
    setLoadingMore(false);
  };

  const applyFilter = (event: Event) => {
    event.preventDefault();
    const refused = filterProblem(search, rows);
    setFilterRefused(refused);
    if (refused) return;
    setEditing(null);
    // A new object, so the same filter applied again reloads the list.
    setFilter(deviceFilter(search, rows));
  };

  const clearFilter = () => {
    setSearch('');
    setRows([]);
    setFilterRefused(null);
    setFilter({});
  };

  const changeStale = (text: string) => {
    setStaleTyped(text);
    const minutes = staleMinutesOf(text);
    if (minutes === null) return;
    setStaleMinutes(minutes);
    try {
      localStorage.setItem(STALE_KEY, String(minutes));
    } catch {
      // Private windows may refuse storage; the threshold still holds for this visit.
    }
  };
  const staleInvalid = staleMinutesOf(staleTyped) === null;
  const filtered = filter.search !== undefined || filter.labels !== undefined;

  return (
    <section aria-labelledby="fleet-heading">
      <div class="section-head">
        <h1 id="fleet-heading" ref={heading} tabIndex={-1}>
          Fleet
        </h1>
      </div>
      <form class="fleet-filter" role="search" aria-label="Filter devices" onSubmit={applyFilter}>
        <div class="field">
          <label for={`${id}-search`}>Search id or name</label>
          <input
            id={`${id}-search`}
            type="search"
            value={search}
            aria-invalid={filterRefused?.field === 'search' ? 'true' : undefined}
            aria-describedby={
              filterRefused?.field === 'search' ? `${id}-filter-problem` : undefined
            }
            onInput={(e) => {
              setSearch(e.currentTarget.value);
              if (filterRefused?.field === 'search') setFilterRefused(null);
            }}
          />
        </div>
        <MatcherRows
          legend="Labels"
          rows={rows}
          onChange={(changed) => {
            setRows(changed);
            setFilterRefused(null);
          }}
          invalidRow={filterRefused?.field === 'labels' ? filterRefused.row : null}
          describedBy={`${id}-filter-problem`}
        />
        <Problem text={filterRefused?.message} id={`${id}-filter-problem`} />
        <div class="actions">
          <button type="submit">Filter</button>
          {(filtered || rows.length > 0 || search !== '') && (
            <button type="button" onClick={clearFilter}>
              Clear filter
            </button>
          )}
        </div>
      </form>
      <div class="field stale-setting">
        <label for={`${id}-stale`}>Stale after (minutes)</label>
        <input
          id={`${id}-stale`}
          type="text"
          inputMode="numeric"
          value={staleTyped}
          aria-invalid={staleInvalid ? 'true' : undefined}
          aria-describedby={`${id}-stale-hint`}
          onInput={(e) => changeStale(e.currentTarget.value)}
        />
        <small id={`${id}-stale-hint`} class="hint">
          {staleInvalid
            ? `A whole number of minutes from 1 to ${MAX_STALE_MINUTES}; still ${staleMinutes}.`
            : 'Devices not heard from for longer are marked STALE.'}
        </small>
      </div>
      <p class="visually-hidden" role="status">
        {status}
      </p>
      <Problem text={problem} />
      {devices === null ? (
        <p class="empty">Loading devices…</p>
      ) : devices.length === 0 ? (
        <p class="empty">
          {filtered
            ? 'No device matches this filter.'
            : 'No devices yet. A device appears with its first stored reading.'}
        </p>
      ) : (
        <ul class="device-list" aria-label="Devices">
          {devices.map((device) =>
            editing === device.id ? (
              <li key={device.id} class="device-item editing" data-device-id={device.id}>
                <DeviceEditor
                  api={api}
                  device={device}
                  onSaved={(saved) => {
                    setDevices((shown) =>
                      (shown ?? []).map((d) => (d.id === saved.id ? saved : d)),
                    );
                    setEditing(null);
                    setStatus(`Device ${saved.id} saved.`);
                    focusEditButton(saved.id);
                  }}
                  onCancel={() => {
                    setEditing(null);
                    focusEditButton(device.id);
                  }}
                />
              </li>
            ) : (
              <DeviceItem
                key={device.id}
                api={api}
                device={device}
                now={now}
                stale={isStale(device.lastSeenAt, now, staleMinutes)}
                canChange={canChange}
                onEdit={() => setEditing(device.id)}
                onDeleted={() => {
                  setDevices((shown) => (shown ?? []).filter((d) => d.id !== device.id));
                  setStatus(`Device ${device.id} removed from the inventory.`);
                  heading.current?.focus();
                }}
              />
            ),
          )}
        </ul>
      )}
      {nextToken !== null && devices !== null && (
        <button type="button" class="more" disabled={loadingMore} onClick={() => void more()}>
          {loadingMore ? 'Loading…' : 'More'}
        </button>
      )}
    </section>
  );
}

/** Once the form has gone, focus goes back to the Edit button it came from, not to <body>. */
function focusEditButton(deviceId: string): void {
  requestAnimationFrame(() =>
    document
      .querySelector<HTMLButtonElement>(`[data-device-id="${CSS.escape(deviceId)}"] .edit`)
      ?.focus(),
  );
}

function DeviceItem(props: {
  api: Api;
  device: Device;
  now: number;
  stale: boolean;
  canChange: boolean;
  onEdit(): void;
  onDeleted(): void;
}) {
  const { api, device, now, stale, canChange, onEdit, onDeleted } = props;
  const [problem, setProblem] = useState<string | null>(null);

  const remove = async () => {
    setProblem(null);
    try {
      await api.request(deleteDeviceMutation, { id: device.id });
      onDeleted();
      return true;
    } catch (error) {
      setProblem(errorText(error));
      return false;
    }
  };

  return (
    <li
      class={`device-item ${stale ? 'stale' : ''}`}
      data-device-id={device.id}
      data-stale={stale ? 'true' : 'false'}
    >
      <div class="device-main">
        <a href={deviceHref(device.id)}>
          <strong>{device.name ?? device.id}</strong>
        </a>
        {device.name !== null && <span class="device-id">{device.id}</span>}
        <Health device={device} />
        {stale && <span class="badge stale">STALE</span>}
      </div>
      <p class="device-detail">
        <span title={dateTime(device.lastSeenAt)}>Last seen {age(device.lastSeenAt, now)}</span>
        {device.latest.length > 0 &&
          ` · ${device.latest.map(({ metric, value }) => `${metric} ${value}`).join(', ')}`}
      </p>
      {device.labels.length > 0 ? (
        <LabelChips labels={device.labels} name={`Labels of ${device.id}`} />
      ) : (
        <p class="device-detail">No labels</p>
      )}
      {canChange && (
        <div class="actions">
          <button type="button" class="edit" onClick={onEdit}>
            Edit
          </button>
          <ConfirmedAction
            label="Delete"
            question="Remove this device from the inventory? Its readings stay, and its next reading brings it back."
            confirmLabel="Yes, remove"
            onConfirm={remove}
          />
        </div>
      )}
      <Problem text={problem} />
    </li>
  );
}
