import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { SilenceFieldsFragment } from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import type { FeedAlert } from './alert-feed.ts';
import { silenceHref } from './alert-marks.tsx';
import { dateTime } from './format.ts';
import type { SilenceDraft } from './silence-draft.ts';
import { deviceSilenceDraft, ruleSilenceDraft } from './silence-draft.ts';
import { SilenceForm } from './silence-form.tsx';

/** A silence being written from an alert: which of the two, and its prefilled draft. */
interface Silencing {
  title: string;
  draft: SilenceDraft;
  /** The button that opened the form, for focus to return to. */
  from: 'device' | 'rule';
}

/**
 * "Silence this device for 2 h" and "Silence this rule everywhere until …" for a firing
 * alert: `buttons` for the alert's row of actions (null when not offered: a viewer, an alert
 * resolved, a form already open), and `panel` beneath it, the prefilled form and,
 * once created, until when with a link to the silence. `title` is how the alert names its rule.
 */
export function useSilenceFromAlert(
  api: Api,
  alert: FeedAlert,
  title: string,
  canSilence: boolean,
): { buttons: JSX.Element | null; panel: JSX.Element | null } {
  const [silencing, setSilencing] = useState<Silencing | null>(null);
  const [created, setCreated] = useState<SilenceFieldsFragment | null>(null);
  const deviceButton = useRef<HTMLButtonElement>(null);
  const ruleButton = useRef<HTMLButtonElement>(null);
  const createdNote = useRef<HTMLParagraphElement>(null);

  // Focus goes to what replaced the form: the word that it was created, or the button it came from.
  const closeForm = (silence: SilenceFieldsFragment | null) => {
    const from = silencing?.from;
    setSilencing(null);
    if (silence) setCreated(silence);
    requestAnimationFrame(() =>
      (silence ? createdNote : from === 'rule' ? ruleButton : deviceButton).current?.focus(),
    );
  };

  const buttons =
    canSilence && alert.status !== 'RESOLVED' && silencing === null ? (
      <>
        <button
          type="button"
          class="silence"
          ref={deviceButton}
          onClick={() =>
            setSilencing({
              title: `Silence ${alert.deviceId} for 2 h`,
              draft: deviceSilenceDraft(alert),
              from: 'device',
            })
          }
        >
          Silence this device for 2 h
        </button>
        <button
          type="button"
          class="silence"
          ref={ruleButton}
          onClick={() =>
            setSilencing({
              title: `Silence ${title} everywhere`,
              draft: ruleSilenceDraft(alert, Date.now()),
              from: 'rule',
            })
          }
        >
          Silence this rule everywhere until …
        </button>
      </>
    ) : null;

  const panel =
    silencing || created ? (
      <>
        {silencing && (
          <SilenceForm
            api={api}
            title={silencing.title}
            draft={silencing.draft}
            onSaved={closeForm}
            onCancel={() => closeForm(null)}
          />
        )}
        {created && (
          <p class="notice" ref={createdNote} tabIndex={-1}>
            Silenced until {dateTime(created.endsAt)}.{' '}
            <a href={silenceHref(created.id)}>See the silence</a>
          </p>
        )}
      </>
    ) : null;

  return { buttons, panel };
}
