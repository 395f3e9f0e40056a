import type { EventsQuery } from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { eventsQuery } from './operations.ts';

/** Readings fetched at most per load, newest first, across the device's metrics. */
export const MAX_READINGS = 5_000;

export type Reading = EventsQuery['events']['items'][number];

/**
 * A device's readings since `from`, newest first, page by page up to MAX_READINGS;
 * `truncated` says older readings in the range were left out.
 */
export async function readingsSince(
  api: Pick<Api, 'request'>,
  deviceId: string,
  from: string,
): Promise<{ readings: Reading[]; truncated: boolean }> {
  const readings: Reading[] = [];
  let nextToken: string | null = null;
  do {
    const page: EventsQuery = await api.request(eventsQuery, {
      deviceId,
      from,
      limit: Math.min(1000, MAX_READINGS - readings.length),
      nextToken,
    });
    readings.push(...page.events.items);
    nextToken = page.events.nextToken;
  } while (nextToken && readings.length < MAX_READINGS);
  return { readings, truncated: nextToken !== null };
}
