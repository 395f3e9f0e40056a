/**
 * What "Test this rule" asks and shows, kept apart from the page so it is tested without a
 * browser: the backtest's input from a rule draft, the words that sum up its answer, and the
 * would-be episodes as the device chart draws alert episodes.
 */
import type {
  BacktestRuleQuery,
  BacktestRuleQueryVariables,
  Severity,
} from '../../generated/console-operations.ts';
import type { ChartEpisode } from './chart-model.ts';
import { dateTime } from './format.ts';
import { createInput, type RuleDraft } from './rule-draft.ts';

export type BacktestAnswer = BacktestRuleQuery['backtestRule'];
export type BacktestEpisode = BacktestAnswer['episodes'][number];

/** The ranges a test may replay, ending now: minutes and their name. */
export const testRanges = [
  [60, 'Last hour'],
  [360, 'Last 6 hours'],
  [1440, 'Last 24 hours'],
  [10080, 'Last 7 days'],
] as const;

export type TestMinutes = (typeof testRanges)[number][0];

/**
 * The backtest of the draft as it stands (unsaved): over the last `minutes` before `now`, of
 * `deviceId` when one is picked (blank: the devices the draft watches).
 */
export function backtestVariables(
  draft: RuleDraft,
  deviceId: string,
  minutes: number,
  now: number,
): BacktestRuleQueryVariables {
  const picked = deviceId.trim();
  return {
    input: {
      rule: createInput(draft),
      ...(picked === '' ? {} : { deviceId: picked }),
      from: new Date(now - minutes * 60_000).toISOString(),
      to: new Date(now).toISOString(),
    },
  };
}

const plural = (count: number, word: string) =>
  `${count.toLocaleString('en')} ${word}${count === 1 ? '' : 's'}`;

/** One sentence for the whole answer: how many episodes, on how many devices, from what. */
export function summaryText(answer: BacktestAnswer): string {
  const devices = answer.devices.length;
  const firing = answer.devices.filter((device) => device.episodes > 0).length;
  const replayed = `${plural(answer.readingsReplayed, 'reading')} of ${plural(devices, 'device')} replayed`;
  if (answer.episodeCount === 0) return `No episode would have fired: ${replayed}.`;
  const shown = answer.episodesTruncated
    ? ` The oldest ${answer.episodes.length.toLocaleString('en')} are listed.`
    : '';
  return `${plural(answer.episodeCount, 'episode')} would have fired on ${plural(firing, 'device')}: ${replayed}.${shown}`;
}

/** The device to chart: the one asked for, else the first with episodes, else the first. */
export function chartedDevice(answer: BacktestAnswer): string | null {
  const withEpisodes = answer.devices.find((device) => device.episodes > 0);
  return (withEpisodes ?? answer.devices[0])?.deviceId ?? null;
}

/** A device's would-be episodes as the chart's alert bands. */
export function chartEpisodes(
  answer: BacktestAnswer,
  deviceId: string,
  severity: Severity,
): ChartEpisode[] {
  return answer.episodes
    .filter((episode) => episode.deviceId === deviceId)
    .map((episode) => ({
      id: episodeKey(episode),
      severity,
      firedAt: episode.startedAt,
      eventTimestamp: episode.startedAt,
      resolvedAt: episode.endedAt,
    }));
}

/** A key unique within one answer. */
export function episodeKey(episode: BacktestEpisode): string {
  return `${episode.deviceId}@${episode.startedAt}#${episode.reason}`;
}

/** One episode as the list says it: when, how long, what it fired at and reached. */
export function episodeText(episode: BacktestEpisode): string {
  const end =
    episode.endedAt !== null
      ? dateTime(episode.endedAt)
      : episode.latchedAt !== null
        ? `the end of the range (latched since ${dateTime(episode.latchedAt)}, waiting for an acknowledgement)`
        : 'the end of the range (still open)';
  const span = `${dateTime(episode.startedAt)} to ${end}`;
  if (episode.reason === 'NO_DATA') return `No data from ${span}`;
  return `${span}: fired at ${episode.value}, peak ${episode.peak}, ${plural(episode.readingsBreached, 'reading')} breaching`;
}
