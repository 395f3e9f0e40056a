import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { RuleFieldsFragment } from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { ConfirmedAction } from './confirmed-action.tsx';
import { condition, dateTime, deviceHref, ruleSourceText } from './format.ts';
import { errorText } from './error-text.ts';
import { selectorText } from './label-text.ts';
import { deleteRuleMutation, setRuleEnabledMutation } from './operations.ts';
import { RuleForm } from './rule-form.tsx';
import { allRules } from './rule-list.ts';
import { Problem } from './problem.tsx';

type Rule = RuleFieldsFragment;

/**
 * Rules: list, create, edit, enable or disable, delete. `canChange` is false for a viewer,
 * who sees the list without its controls.
 */
export function RulesPage({ api, canChange }: { api: Api; canChange: boolean }) {
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const [status, setStatus] = useState('');
  // Where focus goes once a form or a deleted rule has left the page, instead of <body>.
  const [focusNext, setFocusNext] = useState<{ editButtonOf: string } | 'new' | 'heading' | null>(
    null,
  );
  const newButton = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focusNext === null) return;
    const target =
      focusNext === 'new'
        ? newButton.current
        : focusNext === 'heading'
          ? heading.current
          : document.querySelector<HTMLButtonElement>(
              `[data-rule-id="${CSS.escape(focusNext.editButtonOf)}"] .edit`,
            );
    if (target) {
      target.focus();
      setFocusNext(null);
    }
  });
  const closeForm = () => {
    setFocusNext(editing === 'new' || editing === null ? 'new' : { editButtonOf: editing });
    setEditing(null);
  };

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
    closeForm();
    setStatus(`Rule ${rule.name ?? rule.metric} ${verb}.`);
    void reload();
  };

  return (
    <section aria-labelledby="rules-heading">
      <div class="section-head">
        <h1 id="rules-heading" ref={heading} tabIndex={-1}>
          Rules
        </h1>
        {canChange && editing !== 'new' && (
          <button type="button" ref={newButton} onClick={() => setEditing('new')}>
            New rule
          </button>
        )}
      </div>
      <p class="visually-hidden" role="status">
        {status}
      </p>
      <Problem text={problem} />
      {editing === 'new' && (
        <RuleForm api={api} onSaved={(rule) => saved(rule, 'created')} onCancel={closeForm} />
      )}
      {rules === null ? (
        <p class="empty">Loading rules…</p>
      ) : rules.length === 0 ? (
        <p class="empty">
          {canChange ? 'No rules yet. Create one to start alerting.' : 'No rules yet.'}
        </p>
      ) : (
        <ul class="rule-list" aria-label="Rules">
          {rules.map((rule) =>
            editing === rule.id ? (
              <li key={rule.id} class="rule-item editing">
                <RuleForm
                  api={api}
                  rule={rule}
                  onSaved={(updated) => saved(updated, 'saved')}
                  onCancel={closeForm}
                />
              </li>
            ) : (
              <RuleItem
                key={rule.id}
                api={api}
                rule={rule}
                canChange={canChange}
                onEdit={() => setEditing(rule.id)}
                onChanged={(message, removed) => {
                  setStatus(message);
                  if (removed) setFocusNext('heading');
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
  canChange: boolean;
  onEdit(): void;
  onChanged(message: string, removed?: boolean): void;
}) {
  const { api, rule, canChange, onEdit, onChanged } = props;
  const [problem, setProblem] = useState<string | null>(null);
  const title = rule.name ?? `${rule.metric} ${condition(rule.operator, rule.threshold)}`;

  const act = async (work: () => Promise<{ message: string; removed: boolean }>) => {
    setProblem(null);
    try {
      const { message, removed } = await work();
      onChanged(message, removed);
      return true;
    } catch (error) {
      setProblem(errorText(error));
      return false;
    }
  };
  const toggle = () =>
    act(async () => {
      await api.request(setRuleEnabledMutation, { id: rule.id, enabled: !rule.enabled });
      return { message: `Rule ${title} ${rule.enabled ? 'disabled' : 'enabled'}.`, removed: false };
    });
  const remove = () =>
    act(async () => {
      await api.request(deleteRuleMutation, { id: rule.id });
      return { message: `Rule ${title} deleted.`, removed: true };
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
        {rule.deviceId !== null ? (
          <a href={deviceHref(rule.deviceId)}>{rule.deviceId}</a>
        ) : rule.selector ? (
          <span class="selector">devices with {selectorText(rule.selector)}</span>
        ) : (
          'every device'
        )}
      </p>
      {rule.description && <p class="rule-description">{rule.description}</p>}
      {rule.source && <p class="rule-detail rule-source">{ruleSourceText(rule.source)}</p>}
      <RuleHistory rule={rule} />
      {canChange && (
        <div class="actions">
          <button type="button" class="edit" onClick={onEdit}>
            Edit
          </button>
          <button type="button" onClick={toggle}>
            {rule.enabled ? 'Disable' : 'Enable'}
          </button>
          <ConfirmedAction
            label="Delete"
            question="Delete this rule and resolve its open alerts?"
            confirmLabel="Yes, delete"
            onConfirm={remove}
          />
        </div>
      )}
      <Problem text={problem} />
    </li>
  );
}

/** Who created the rule, and who changed it last when that came later. */
function RuleHistory({ rule }: { rule: Rule }) {
  const changed = rule.updatedBy !== null && rule.updatedAt !== rule.createdAt;
  if (rule.createdBy === null && !changed) return null;
  return (
    <p class="rule-detail">
      {[
        rule.createdBy && `Created by ${rule.createdBy}`,
        changed && `changed last by ${rule.updatedBy} at ${dateTime(rule.updatedAt)}`,
      ]
        .filter(Boolean)
        .join(' · ')}
    </p>
  );
}
