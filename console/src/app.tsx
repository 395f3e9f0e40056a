import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { connectApi, SESSION_ENDED } from './api.ts';
import { AlertsPage } from './alerts-page.tsx';
import { CredentialsPage } from './credentials-page.tsx';
import { DevicePage } from './device-page.tsx';
import { FleetPage } from './fleet-page.tsx';
import { MaintenancePage } from './maintenance-page.tsx';
import { RulesPage } from './rules-page.tsx';
import { currentUser, endSession, idToken } from './session.ts';
import { SignInPage } from './sign-in-page.tsx';
import { SilencesPage } from './silences-page.tsx';
import { SystemPage } from './system-page.tsx';
import type { SiteConfig } from './site-config.ts';
import { useAlertFeed } from './use-alert-feed.ts';
import type { Permissions, SignedInUser } from './user.ts';
import { permissionsOf } from './user.ts';

/**
 * The route is the URL's hash: #/, #/fleet, #/rules, #/silences, #/silences/<id>,
 * #/maintenance, #/devices, #/devices/<id>, #/credentials, #/system.
 */
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

const roleNames = { admin: 'Admin', operator: 'Operator', viewer: 'Viewer' } as const;

/**
 * The console: the sign-in page until someone is signed in, then the pages their role may
 * use. A session the API refuses (ended, revoked) brings the sign-in page back with a word.
 */
export function App({ config }: { config: SiteConfig }) {
  // undefined while the stored session is being checked.
  const [user, setUser] = useState<SignedInUser | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const route = useRoute();

  useEffect(() => {
    currentUser().then(setUser, () => {
      setUser(null);
      setNotice('Your session could not be checked: the user pool cannot be reached.');
    });
  }, []);

  const signOut = useCallback(async (message: string) => {
    await endSession();
    setUser(null);
    setNotice(message);
  }, []);

  const api = useMemo(
    () =>
      user
        ? connectApi({
            graphqlUrl: config.graphqlUrl,
            authorization: idToken,
            onUnauthorized: () => void signOut(SESSION_ENDED),
          })
        : null,
    [config.graphqlUrl, user, signOut],
  );
  const permissions = user ? permissionsOf(user.role) : null;

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Telemetry alerts</span>
        {permissions && (
          <nav aria-label="Console">
            {[
              ['', 'Alerts'],
              ['fleet', 'Fleet'],
              ['rules', 'Rules'],
              ['silences', 'Silences'],
              ['maintenance', 'Maintenance'],
              ['devices', 'Devices'],
              ...(permissions.manageCredentials ? [['credentials', 'Device credentials']] : []),
              ...(permissions.viewSystem ? [['system', 'System']] : []),
            ].map(([path = '', label]) => (
              <a
                key={path}
                href={`#/${path}`}
                aria-current={(route[0] ?? '') === path ? 'page' : undefined}
              >
                {label}
              </a>
            ))}
          </nav>
        )}
        {user && (
          <div class="account">
            <span class="user-email">{user.email}</span>
            <span class={`badge role role-${user.role}`}>{roleNames[user.role]}</span>
            <button type="button" onClick={() => void signOut('You have signed out.')}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main">
        {user === undefined ? (
          <p class="empty">Loading…</p>
        ) : api === null || permissions === null ? (
          <SignInPage
            notice={notice}
            onSignedIn={(signedIn) => {
              setNotice(null);
              setUser(signedIn);
            }}
          />
        ) : (
          <Connected api={api} route={route} permissions={permissions} />
        )}
      </main>
    </>
  );
}

function Connected(props: { api: Api; route: string[]; permissions: Permissions }) {
  const { api, route, permissions } = props;
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
      {route[0] === 'fleet' ? (
        <FleetPage api={api} canChange={permissions.changeDevices} />
      ) : route[0] === 'rules' ? (
        <RulesPage api={api} canChange={permissions.changeRules} />
      ) : route[0] === 'silences' ? (
        <SilencesPage
          api={api}
          silenceId={route[1] ?? null}
          canChange={permissions.changeSilences}
        />
      ) : route[0] === 'maintenance' ? (
        <MaintenancePage api={api} canChange={permissions.changeSilences} />
      ) : route[0] === 'devices' ? (
        <DevicePage
          api={api}
          feed={feed}
          deviceId={route[1] ?? null}
          canChange={permissions.changeDevices}
        />
      ) : route[0] === 'system' ? (
        permissions.viewSystem ? (
          <SystemPage api={api} />
        ) : (
          <p class="empty">Only admins and operators see the system's status.</p>
        )
      ) : route[0] === 'credentials' ? (
        permissions.manageCredentials ? (
          <CredentialsPage api={api} />
        ) : (
          <p class="empty">Only admins manage device credentials.</p>
        )
      ) : (
        <AlertsPage
          api={api}
          feed={feed}
          canHandle={permissions.handleAlerts}
          canSilence={permissions.changeSilences}
        />
      )}
    </>
  );
}

/** What is wrong with the site's config.json, when the console cannot start. */
export function SiteProblem({ problem }: { problem: string }) {
  return (
    <main id="main">
      <h1>The console cannot start</h1>
      <p class="problem" role="alert">
        {problem}
      </p>
      <p>
        The site's <code>config.json</code> names the API and the user pool. The deployment writes
        it; locally, <code>npm start</code> serves it.
      </p>
    </main>
  );
}
