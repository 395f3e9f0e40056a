/**
 * AppSync's real-time endpoint for a GraphQL endpoint: the `appsync-realtime-api` host for
 * AppSync's own domains, `<endpoint>/realtime` for custom domains and the local stack; wss://
 * for https, ws:// for the local stack's plain HTTP. Shared by the console's client and the
 * local console server's Content-Security-Policy, so the page may dial what it dials.
 */
export function realtimeUrl(graphqlUrl: string): string {
  const url = new URL(graphqlUrl);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  if (url.hostname.includes('.appsync-api.')) {
    url.hostname = url.hostname.replace('.appsync-api.', '.appsync-realtime-api.');
  } else {
    url.pathname = `${url.pathname.replace(/\/$/, '')}/realtime`;
  }
  return url.toString();
}
