import { useState } from 'preact/hooks';
import type { SilenceFieldsFragment } from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { matchersText } from './alert-matchers-draft.ts';
import { ConfirmedAction } from './confirmed-action.tsx';
import { errorText } from './error-text.ts';
import { dateTime } from './format.ts';
import { expireSilenceMutation } from './operations.ts';
import { Problem } from './problem.tsx';

type Silence = SilenceFieldsFragment;

/** A silence in a tab's list. */
export function SilenceItem(props: {
  api: Api;
  silence: Silence;
  ruleName(id: string): string | null;
  canChange: boolean;
  onExpired(silence: Silence): void;
}) {
  const { silence, ruleName } = props;
  return (
    <li
      class={`rule-item silence-item state-${silence.state.toLowerCase()}`}
      data-silence-id={silence.id}
      data-state={silence.state}
    >
      <SilenceSummary silence={silence} ruleName={ruleName} />
      <SilenceExpiry {...props} />
    </li>
  );
}

/** Expire, with a confirmation, for a silence not expired yet; nothing for a viewer. */
export function SilenceExpiry(props: {
  api: Api;
  silence: Silence;
  canChange: boolean;
  onExpired(silence: Silence): void;
}) {
  const { api, silence, canChange, onExpired } = props;
  const [problem, setProblem] = useState<string | null>(null);
  if (!canChange || silence.state === 'EXPIRED') return null;

  const expire = async () => {
    setProblem(null);
    try {
      const result = await api.request(expireSilenceMutation, { id: silence.id });
      onExpired(result.expireSilence);
      return true;
    } catch (error) {
      setProblem(errorText(error));
      return false;
    }
  };

  return (
    <>
      <div class="actions">
        <ConfirmedAction
          label="Expire"
          question={
            silence.state === 'ACTIVE'
              ? 'End this silence now? Alerts it holds that still fire are notified.'
              : 'Cancel this silence before it starts?'
          }
          confirmLabel="Yes, expire"
          onConfirm={expire}
        />
      </div>
      <Problem text={problem} />
    </>
  );
}

/** A silence's matchers, times, comment and history, as its list item and its own view show it. */
export function SilenceSummary(props: { silence: Silence; ruleName(id: string): string | null }) {
  const { silence, ruleName } = props;
  return (
    <>
      <div class="rule-main">
        <span class={`badge status silence-${silence.state.toLowerCase()}`}>{silence.state}</span>
        <strong>{matchersText(silence.matchers, ruleName).join(' · ')}</strong>
      </div>
      <p class="rule-detail">
        {dateTime(silence.startsAt)} – {dateTime(silence.endsAt)}
        {silence.notifyResolved ? '' : ' · resolutions not notified'}
      </p>
      <p class="rule-description">{silence.comment}</p>
      <p class="rule-detail">
        Created by {silence.createdBy}
        {silence.expiredAt && ` · expired by ${silence.expiredBy ?? 'someone'}`}
      </p>
    </>
  );
}
