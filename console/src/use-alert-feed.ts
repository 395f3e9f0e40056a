import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { AlertsQuery } from '../../generated/console-operations.ts';
import type { Api, LinkState } from './api.ts';
import type { FeedAlert } from './alert-feed.ts';
import { catchUpFrom, FEED_SIZE, mergeAlerts } from './alert-feed.ts';
import { errorText } from './error-text.ts';
import {
  acknowledgeAlertMutation,
  alertsQuery,
  onAlertSubscription,
  resetAlertMutation,
  snoozeAlertMutation,
} from './operations.ts';

export interface AlertFeed {
  alerts: FeedAlert[];
  link: LinkState;
  /**
   * What is wrong, for the page to show: loading alerts, receiving them live, or both. Each
   * clears when its own kind of work next succeeds.
   */
  problems: string[];
  /** A sentence about the latest pushed alert, for screen readers. */
  announcement: string;
  /** Records the signed-in user as having acknowledged the alert (the API takes the name from the token). */
  acknowledge(id: string): Promise<void>;
  /** Mutes the alert's e-mails for `seconds` (a silence of its rule and device). */
  snooze(id: string, seconds: number): Promise<void>;
  /** Resolves the alert now and returns its episode to normal. */
  reset(id: string): Promise<void>;
}

/**
 * The live feed: one `onAlert` subscription for the whole console. Each time the
 * subscription is (re-)established, alerts are queried from the oldest one shown, so what
 * fired, resolved or was acknowledged while the link was down is caught up.
 */
export function useAlertFeed(api: Api): AlertFeed {
  const [alerts, setAlerts] = useState<FeedAlert[]>([]);
  const [link, setLink] = useState<LinkState>('connecting');
  const [loadProblem, setLoadProblem] = useState<string | null>(null);
  const [liveProblem, setLiveProblem] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const shown = useRef<FeedAlert[]>([]);

  const merge = useCallback((incoming: FeedAlert[]) => {
    shown.current = mergeAlerts(shown.current, incoming);
    setAlerts(shown.current);
  }, []);

  const catchUp = useCallback(async () => {
    try {
      const from = catchUpFrom(shown.current);
      let nextToken: string | null = null;
      let fetched = 0;
      do {
        const page: AlertsQuery = await api.request(alertsQuery, { from, limit: 100, nextToken });
        merge(page.alerts.items);
        fetched += page.alerts.items.length;
        nextToken = page.alerts.nextToken;
      } while (nextToken && fetched < FEED_SIZE);
      setLoadProblem(null);
    } catch (error) {
      setLoadProblem(`Could not load alerts: ${errorText(error)}`);
    }
  }, [api, merge]);

  useEffect(() => {
    void catchUp();
    const stopLink = api.onLinkState(setLink);
    const stop = api.subscribe(
      onAlertSubscription,
      {},
      {
        next: ({ onAlert }) => {
          if (!onAlert) return;
          merge([onAlert]);
          setAnnouncement(
            `${onAlert.severity} alert ${onAlert.status.toLowerCase()}: ${onAlert.metric} on ${onAlert.deviceId}`,
          );
        },
        ready: () => {
          setLink('live');
          setLiveProblem(null);
          void catchUp();
        },
        error: (error) => setLiveProblem(`Live updates stopped: ${errorText(error)}`),
      },
    );
    return () => {
      stop();
      stopLink();
    };
  }, [api, catchUp, merge]);

  const acknowledge = useCallback(
    async (id: string) => {
      const result = await api.request(acknowledgeAlertMutation, { id });
      merge([result.acknowledgeAlert]);
    },
    [api, merge],
  );

  const snooze = useCallback(
    async (id: string, seconds: number) => {
      const result = await api.request(snoozeAlertMutation, { id, seconds });
      merge([result.snoozeAlert]);
    },
    [api, merge],
  );

  const reset = useCallback(
    async (id: string) => {
      const result = await api.request(resetAlertMutation, { id });
      merge([result.resetAlert]);
    },
    [api, merge],
  );

  const problems = [loadProblem, liveProblem].filter((problem) => problem !== null);
  return { alerts, link, problems, announcement, acknowledge, snooze, reset };
}
