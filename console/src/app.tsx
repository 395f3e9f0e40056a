import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { connectApi } from './api.ts';
import { AlertsPage } from './alerts-page.tsx';
import { DevicePage } from './device-page.tsx';
import { RulesPage } from './rules-page.tsx';
import { SettingsPage } from './settings-page.tsx';
import type { Settings, SiteConfig } from './settings.ts';
import { settingsProblem, settingsToStore, storeSettings } from './settings.ts';
import { useAlertFeed } from './use-alert-feed.ts';

/** The route is the URL's hash: #/, #/rules, #/devices, #/devices/<id>, #/settings. */
function useRoute(): string[] {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodedSegment);
}

/** A hash segment decoded, or as it is when it is not valid percent-encoding (`%E0%A4`). */
function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function App({ site, initial }: { site: SiteConfig | null; initial: Settings }) {
  const [settings, setSettings] = useState(initial);
  const route = useRoute();
  const ready = settingsProblem(settings) === null;
  const api = useMemo(() => (ready ? connectApi(settings) : null), [ready, settings]);

  const save = (next: Settings) => {
    storeSettings(settingsToStore(next, site));
    setSettings(next);
    location.hash = '#/';
  };

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Telemetry alerts</span>
        <nav aria-label="Console">
          {[
            ['', 'Alerts'],
            ['rules', 'Rules'],
            ['devices', 'Devices'],
            ['settings', 'Settings'],
          ].map(([path, label]) => (
            <a
              key={path}
              href={`#/${path}`}
              aria-current={(route[0] ?? '') === path ? 'page' : undefined}
            >
              {label}
            </a>
          ))}
        </nav>
      </header>
      <main id="main">
        {api === null || route[0] === 'settings' ? (
          <SettingsPage settings={settings} onSave={save} />
        ) : (
          <Connected api={api} route={route} operator={settings.operator} />
        )}
      </main>
    </>
  );
}

function Connected({ api, route, operator }: { api: Api; route: string[]; operator: string }) {
  const feed = useAlertFeed(api);
  return (
    <>
      <p class={`link link-${feed.link}`} role="status" aria-live="polite">
        {feed.link === 'live'
          ? 'Live'
          : feed.link === 'connecting'
            ? 'Connecting…'
            : 'Reconnecting… alerts missed meanwhile are fetched when the link is back'}
      </p>
      <p class="visually-hidden" aria-live="polite">
        {feed.announcement}
      </p>
      {route[0] === 'rules' ? (
        <RulesPage api={api} />
      ) : route[0] === 'devices' ? (
        <DevicePage api={api} feed={feed} deviceId={route[1] ?? null} />
      ) : (
        <AlertsPage feed={feed} operator={operator} />
      )}
    </>
  );
}
