import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { RuleFieldsFragment } from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { condition, deviceHref } from './format.ts';
import { errorText } from './error-text.ts';
import { deleteRuleMutation, setRuleEnabledMutation } from './operations.ts';
import { RuleForm } from './rule-form.tsx';
import { allRules } from './rule-list.ts';

type Rule = RuleFieldsFragment;

/** Rules: list, create, edit, enable or disable, delete. */
export function RulesPage({ api }: { api: Api }) {
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const [status, setStatus] = useState('');

  const reload = useCallback(async () => {
    try {
      setRules(await allRules(api));
      setProblem(null);
    } catch (error) {
      setProblem(`Could not load rules: ${errorText(error)}`);
    }
  }, [api]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const saved = (rule: Rule, verb: string) => {
    setEditing(null);
    setStatus(`Rule ${rule.name ?? rule.metric} ${verb}.`);
    void reload();
  };

  return (
    <section aria-labelledby="rules-heading">
      <div class="section-head">
        <h1 id="rules-heading">Rules</h1>
        {editing !== 'new' && (
          <button type="button" onClick={() => setEditing('new')}>
            New rule
          </button>
        )}
      </div>
      <p class="visually-hidden" role="status">
        {status}
      </p>
      {problem && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
      {editing === 'new' && (
        <RuleForm
          api={api}
          onSaved={(rule) => saved(rule, 'created')}
          onCancel={() => setEditing(null)}
        />
      )}
      {rules === null ? (
        <p class="empty">Loading rules…</p>
      ) : rules.length === 0 ? (
        <p class="empty">No rules yet. Create one to start alerting.</p>
      ) : (
        <ul class="rule-list" aria-label="Rules">
          {rules.map((rule) =>
            editing === rule.id ? (
              <li key={rule.id} class="rule-item editing">
                <RuleForm
                  api={api}
                  rule={rule}
                  onSaved={(updated) => saved(updated, 'saved')}
                  onCancel={() => setEditing(null)}
                />
              </li>
            ) : (
              <RuleItem
                key={rule.id}
                api={api}
                rule={rule}
                onEdit={() => setEditing(rule.id)}
                onChanged={(message) => {
                  setStatus(message);
                  void reload();
                }}
              />
            ),
          )}
        </ul>
      )}
    </section>
  );
}

function RuleItem(props: {
  api: Api;
  rule: Rule;
  onEdit(): void;
  onChanged(message: string): void;
}) {
  const { api, rule, onEdit, onChanged } = props;
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const mounted = useRef(false);
  // The button pressed is swapped out: focus goes to the one that answers it, not to <body>.
  useEffect(() => {
    if (mounted.current) (confirming ? confirmButton : deleteButton).current?.focus();
    mounted.current = true;
  }, [confirming]);
  const title = rule.name ?? `${rule.metric} ${condition(rule.operator, rule.threshold)}`;

  const act = async (work: () => Promise<string>) => {
    setProblem(null);
    try {
      onChanged(await work());
    } catch (error) {
      setProblem(errorText(error));
    }
  };
  const toggle = () =>
    act(async () => {
      await api.request(setRuleEnabledMutation, { id: rule.id, enabled: !rule.enabled });
      return `Rule ${title} ${rule.enabled ? 'disabled' : 'enabled'}.`;
    });
  const remove = () =>
    act(async () => {
      await api.request(deleteRuleMutation, { id: rule.id });
      return `Rule ${title} deleted.`;
    });

  return (
    <li class={`rule-item ${rule.enabled ? '' : 'disabled'}`} data-rule-id={rule.id}>
      <div class="rule-main">
        <span class={`badge severity-${rule.severity.toLowerCase()}`}>{rule.severity}</span>
        <strong>{title}</strong>
        {!rule.enabled && <span class="badge status">DISABLED</span>}
      </div>
      <p class="rule-detail">
        {rule.metric} {condition(rule.operator, rule.threshold)}
        {rule.windowSeconds !== null &&
          ` (${rule.aggregation ?? 'AVG'} over ${rule.windowSeconds} s)`}
        {rule.forReadings > 1 && ` for ${rule.forReadings} readings`}
        {rule.clearThreshold !== null && `, clears at ${rule.clearThreshold}`}
        {rule.noDataSeconds !== null && `, no data after ${rule.noDataSeconds} s`}
        {rule.repeatIntervalSeconds !== null && `, repeats every ${rule.repeatIntervalSeconds} s`}
        {' · '}
        {rule.deviceId === null ? (
          'every device'
        ) : (
          <a href={deviceHref(rule.deviceId)}>{rule.deviceId}</a>
        )}
      </p>
      {rule.description && <p class="rule-description">{rule.description}</p>}
      <div class="actions">
        <button type="button" onClick={onEdit}>
          Edit
        </button>
        <button type="button" onClick={toggle}>
          {rule.enabled ? 'Disable' : 'Enable'}
        </button>
        {confirming ? (
          <>
            <span>Delete this rule and resolve its open alerts?</span>
            <button type="button" class="danger" ref={confirmButton} onClick={remove}>
              Yes, delete
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button
            type="button"
            class="danger"
            ref={deleteButton}
            onClick={() => setConfirming(true)}
          >
            Delete
          </button>
        )}
      </div>
      {problem && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
    </li>
  );
}
