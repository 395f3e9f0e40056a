export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { errorType?: string; message: string; path?: unknown[] }[];
}

/**
 * Sends a GraphQL request as any AppSync client does over HTTP, with `authorization` as its
 * `Authorization` header: a user's JWT or a device token (null sends none).
 */
export async function graphql<T = Record<string, unknown>>(
  url: string,
  authorization: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization === null ? {} : { authorization }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as object) };
}

export { RealtimeSubscription } from '../../local/realtime-client.ts';
