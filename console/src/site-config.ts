/**
 * The site's `config.json`: where the API is and which user pool signs people in to it. The
 * CDK deployment writes it beside the console with the stack's outputs; the local stack's
 * console server serves one pointing at the local API and user pool. It holds no secret.
 */
export interface SiteConfig {
  graphqlUrl: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  /** The local user pool's URL; absent in AWS, where Amplify derives Cognito's endpoint. */
  cognitoEndpoint?: string;
  /**
   * The sign-in flow: absent in AWS, where Amplify's default (SRP) runs; the local user pool
   * speaks `USER_PASSWORD_AUTH`.
   */
  authFlowType?: AuthFlowType;
}

export type AuthFlowType = 'USER_SRP_AUTH' | 'USER_PASSWORD_AUTH';

const AUTH_FLOW_TYPES: readonly string[] = ['USER_SRP_AUTH', 'USER_PASSWORD_AUTH'];

/** A site config, or what is wrong with it in words for the page. */
export type SiteConfigResult = { config: SiteConfig } | { problem: string };

/**
 * Checks what `config.json` holds. Every field the console needs must be there: without the
 * user pool nobody can sign in, so a half-written config is reported rather than guessed at.
 */
export function parseSiteConfig(body: unknown): SiteConfigResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { problem: 'config.json is not a JSON object.' };
  }
  const fields = body as Record<string, unknown>;
  const missing = ['graphqlUrl', 'region', 'userPoolId', 'userPoolClientId'].filter(
    (name) => typeof fields[name] !== 'string' || (fields[name] as string).trim() === '',
  );
  if (missing.length > 0) return { problem: `config.json lacks ${missing.join(', ')}.` };
  const { graphqlUrl, region, userPoolId, userPoolClientId } = fields as Record<
    'graphqlUrl' | 'region' | 'userPoolId' | 'userPoolClientId',
    string
  >;
  const { cognitoEndpoint, authFlowType } = fields;
  if (!isHttpUrl(graphqlUrl)) return { problem: notUrl('graphqlUrl', graphqlUrl) };
  if (cognitoEndpoint !== undefined && !isHttpUrl(cognitoEndpoint)) {
    return { problem: notUrl('cognitoEndpoint', cognitoEndpoint) };
  }
  if (authFlowType !== undefined && !AUTH_FLOW_TYPES.includes(authFlowType as string)) {
    return {
      problem: `config.json's authFlowType must be one of ${AUTH_FLOW_TYPES.join(', ')}; got ${String(authFlowType)}.`,
    };
  }
  return {
    config: {
      graphqlUrl,
      region,
      userPoolId,
      userPoolClientId,
      ...(typeof cognitoEndpoint === 'string' ? { cognitoEndpoint } : {}),
      ...(authFlowType === undefined ? {} : { authFlowType: authFlowType as AuthFlowType }),
    },
  };
}

/**
 * The origin the page sends sign-in and token-refresh calls to: the local pool's endpoint, or
 * Cognito's regional endpoint for the pool (its id starts with its region, `eu-west-1_…`),
 * as Amplify derives it. A Content-Security-Policy must let the page reach it.
 */
export function userPoolOrigin(config: Pick<SiteConfig, 'userPoolId' | 'cognitoEndpoint'>): string {
  if (config.cognitoEndpoint) return new URL(config.cognitoEndpoint).origin;
  const region = config.userPoolId.split('_')[0];
  return `https://cognito-idp.${region}.amazonaws.com`;
}

function notUrl(field: string, value: unknown): string {
  return `config.json's ${field} must be an http(s) URL; got ${String(value)}.`;
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/** Fetches and checks the site's `config.json`, never from a cache: a redeploy takes effect. */
export async function loadSiteConfig(): Promise<SiteConfigResult> {
  let response: Response;
  try {
    response = await fetch('./config.json', { cache: 'no-store' });
  } catch {
    return { problem: 'config.json could not be fetched.' };
  }
  if (!response.ok)
    return { problem: `config.json could not be fetched (HTTP ${response.status}).` };
  return parseSiteConfig(await response.json().catch(() => null));
}

/**
 * Earlier consoles kept an API key and a name in this browser's storage. Neither is used any
 * more; the key, a secret, is removed rather than left behind.
 */
export function forgetLegacySettings(): void {
  try {
    localStorage.removeItem('telemetry-alerts-console');
  } catch {
    // Storage disabled: there is nothing to remove.
  }
}
