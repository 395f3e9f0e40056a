/**
 * Where the console connects. The site's `config.json` names the endpoint: the local stack
 * writes it with the API key, a deployed site carries only the endpoint and region. What the
 * operator types in Settings (endpoint, API key, their name) is kept in this browser and wins,
 * but only where it differs from the site's config: a later config.json still takes effect.
 */
export interface SiteConfig {
  graphqlUrl: string;
  region: string;
  apiKey?: string;
}

export interface Settings {
  graphqlUrl: string;
  region: string;
  apiKey: string;
  /** Recorded as `acknowledgedBy` when this operator acknowledges an alert. */
  operator: string;
}

const STORAGE_KEY = 'telemetry-alerts-console';

export async function loadSiteConfig(): Promise<SiteConfig | null> {
  try {
    const response = await fetch('./config.json', { cache: 'no-store' });
    if (!response.ok) return null;
    const body = (await response.json()) as Partial<SiteConfig>;
    if (typeof body.graphqlUrl !== 'string') return null;
    return {
      graphqlUrl: body.graphqlUrl,
      region: typeof body.region === 'string' ? body.region : 'us-east-1',
      ...(typeof body.apiKey === 'string' ? { apiKey: body.apiKey } : {}),
    };
  } catch {
    return null;
  }
}

export function storedSettings(): Partial<Settings> {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Partial<Settings>) : {};
  } catch {
    return {};
  }
}

export function storeSettings(settings: Partial<Settings>): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(settings));
}

/**
 * What to keep in this browser: the operator's name, and the fields that differ from the
 * site's config. Storing the site's own endpoint or key would pin them, so a config.json
 * written later (the local stack on a new port, a replaced API) would be ignored.
 */
export function settingsToStore(settings: Settings, site: SiteConfig | null): Partial<Settings> {
  const siteSettings = effectiveSettings(site, {});
  const stored: Partial<Settings> = { operator: settings.operator };
  for (const field of ['graphqlUrl', 'region', 'apiKey'] as const) {
    if (settings[field] !== siteSettings[field]) stored[field] = settings[field];
  }
  return stored;
}

/** The settings in force: what this browser stored over what the site was deployed with. */
export function effectiveSettings(site: SiteConfig | null, stored: Partial<Settings>): Settings {
  return {
    graphqlUrl: stored.graphqlUrl || site?.graphqlUrl || '',
    region: stored.region || site?.region || 'us-east-1',
    apiKey: stored.apiKey || site?.apiKey || '',
    operator: stored.operator ?? '',
  };
}

/** Why these settings cannot connect yet, in words for the Settings page; null when they can. */
export function settingsProblem(settings: Settings): string | null {
  if (!settings.graphqlUrl) return 'Enter the GraphQL endpoint (GraphQLUrl in the stack outputs).';
  let url: URL;
  try {
    url = new URL(settings.graphqlUrl);
  } catch {
    return `The GraphQL endpoint '${settings.graphqlUrl}' is not a URL.`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return 'The GraphQL endpoint must start with https:// (or http:// for the local stack).';
  }
  if (!settings.apiKey) return 'Enter the API key (ApiKey in the stack outputs).';
  return null;
}
