import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { RuleFieldsFragment } from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { Chart } from './chart.tsx';
import { chartModel } from './chart-model.ts';
import { type Reading, readingsSince } from './device-readings.ts';
import { errorText } from './error-text.ts';
import { deviceHref } from './format.ts';
import { backtestRuleQuery } from './operations.ts';
import { Problem } from './problem.tsx';
import { createInput, draftProblem, type RuleDraft } from './rule-draft.ts';
import {
  type BacktestAnswer,
  backtestVariables,
  chartedDevice,
  chartEpisodes,
  episodeKey,
  episodeText,
  summaryText,
  type TestMinutes,
  testRanges,
} from './rule-test-view.ts';

/** What a test found, with the readings of the device it charts. */
interface Tested {
  answer: BacktestAnswer;
  from: number;
  to: number;
  draft: RuleDraft;
  charted: { deviceId: string; readings: Reading[] } | null;
}

/**
 * "Test this rule": replays the draft as it stands over a recent range of stored readings
 * (backtestRule) and shows the episodes it would have fired, drawn on the device's chart and
 * listed, before the rule is saved. Nothing is stored or sent.
 */
export function RuleTest(props: { api: Api; draft: RuleDraft; rule?: RuleFieldsFragment }) {
  const { api, draft, rule } = props;
  const ownDevice = draft.target === 'device' ? draft.deviceId.trim() : '';
  const [deviceId, setDeviceId] = useState('');
  const [minutes, setMinutes] = useState<TestMinutes>(1440);
  const [running, setRunning] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [tested, setTested] = useState<Tested | null>(null);
  const id = useId();
  const section = useRef<HTMLElement>(null);
  // The section replaces the button that opened it; the operator continues in its first field.
  useEffect(() => {
    section.current?.querySelector<HTMLElement>('input, select')?.focus();
  }, []);

  const run = async () => {
    const found = draftProblem(draft, rule);
    if (found) {
      setProblem(`Fix the rule first: ${found.message}`);
      return;
    }
    setProblem(null);
    setRunning(true);
    try {
      const now = Date.now();
      const variables = backtestVariables(draft, deviceId, minutes, now);
      const { backtestRule: answer } = await api.request(backtestRuleQuery, variables);
      const chartId = chartedDevice(answer);
      const from = Date.parse(answer.from);
      const readings = chartId
        ? (await readingsSince(api, chartId, answer.from)).readings.filter(
            (reading) => reading.metric === variables.input.rule.metric,
          )
        : [];
      setTested({
        answer,
        from,
        to: Date.parse(answer.to),
        draft,
        charted: chartId ? { deviceId: chartId, readings } : null,
      });
    } catch (error) {
      setTested(null);
      setProblem(errorText(error));
    } finally {
      setRunning(false);
    }
  };

  return (
    <section ref={section} class="rule-test" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>Test this rule</h3>
      <p class="hint">
        Replays the stored readings of a range through the rule as it stands; nothing is saved or
        sent.
      </p>
      <div class="fields">
        {ownDevice ? (
          <p class="field">
            <span class="label">Device</span> {ownDevice}
          </p>
        ) : (
          <div class="field">
            <label for={`${id}-device`}>Device</label>
            <input
              id={`${id}-device`}
              type="text"
              autoComplete="off"
              value={deviceId}
              aria-describedby={`${id}-device-hint`}
              onInput={(e) => setDeviceId(e.currentTarget.value)}
              onKeyDown={(e) => {
                // Enter tests; it must not submit (create) the rule.
                if (e.key === 'Enter') {
                  e.preventDefault();
                  void run();
                }
              }}
            />
            <small id={`${id}-device-hint`} class="hint">
              Blank: every device the rule watches
            </small>
          </div>
        )}
        <div class="field">
          <label for={`${id}-range`}>Readings of</label>
          <select
            id={`${id}-range`}
            value={String(minutes)}
            onChange={(e) => setMinutes(Number(e.currentTarget.value) as TestMinutes)}
          >
            {testRanges.map(([value, text]) => (
              <option key={value} value={String(value)}>
                {text}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div class="actions">
        <button type="button" onClick={() => void run()} disabled={running}>
          {running ? 'Testing…' : 'Run test'}
        </button>
      </div>
      <Problem text={problem} id={`${id}-problem`} />
      {tested && <TestResult tested={tested} />}
    </section>
  );
}

function TestResult({ tested }: { tested: Tested }) {
  const { answer, charted, draft } = tested;
  const rule = createInput(draft);
  return (
    <div class="test-result">
      <p role="status">{summaryText(answer)}</p>
      {charted && (
        <Chart
          metric={rule.metric}
          heading={`${rule.metric} on ${charted.deviceId}`}
          title={`${rule.metric} on ${charted.deviceId}, with the episodes the rule would have fired`}
          caption={`${charted.readings.length} reading${charted.readings.length === 1 ? '' : 's'}`}
          model={chartModel({
            from: tested.from,
            to: tested.to,
            readings: charted.readings,
            rules: [
              {
                id: 'draft',
                name: rule.name ?? 'This rule',
                operator: rule.operator,
                threshold: rule.threshold,
                clearThreshold: rule.clearThreshold ?? null,
                enabled: true,
              },
            ],
            episodes: chartEpisodes(answer, charted.deviceId, rule.severity ?? 'WARNING'),
          })}
        />
      )}
      {answer.episodes.length > 0 && (
        <ol class="test-episodes" aria-label="Episodes the rule would have fired">
          {answer.episodes.map((episode) => (
            <li key={episodeKey(episode)}>
              <a href={deviceHref(episode.deviceId)}>{episode.deviceId}</a> {episodeText(episode)}
            </li>
          ))}
        </ol>
      )}
      {answer.notes.length > 0 && (
        <ul class="test-notes" aria-label="How the test differs from live evaluation">
          {answer.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
