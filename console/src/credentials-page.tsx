import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import type {
  CreateDeviceCredentialMutation,
  DeviceCredentialFieldsFragment,
  DeviceCredentialsQuery,
} from '../../generated/console-operations.ts';
import { deviceAuthorizer } from '../../infra/resources.ts';
import type { Api } from './api.ts';
import { ConfirmedAction } from './confirmed-action.tsx';
import type { CredentialDraft, CredentialField, CredentialProblem } from './credential-draft.ts';
import { credentialInput, credentialProblem, emptyCredentialDraft } from './credential-draft.ts';
import { errorText } from './error-text.ts';
import { dateTime } from './format.ts';
import {
  createDeviceCredentialMutation,
  deviceCredentialsQuery,
  revokeDeviceCredentialMutation,
} from './operations.ts';
import { Problem } from './problem.tsx';

type Credential = DeviceCredentialFieldsFragment;
type Issued = CreateDeviceCredentialMutation['createDeviceCredential'];

/** AppSync caches the authorizer's answer for a token this long: a revocation waits it out. */
const REVOCATION_MINUTES = Math.ceil(deviceAuthorizer.cacheTtlSeconds / 60);

/** Every device credential, page by page, newest first as the API lists them. */
async function allCredentials(api: Api): Promise<Credential[]> {
  const credentials: Credential[] = [];
  let nextToken: string | null = null;
  do {
    const page: DeviceCredentialsQuery = await api.request(deviceCredentialsQuery, {
      limit: 100,
      nextToken,
    });
    credentials.push(...page.deviceCredentials.items);
    nextToken = page.deviceCredentials.nextToken;
  } while (nextToken);
  return credentials;
}

/**
 * Device credentials, for admins: what each device or gateway holds to send its readings.
 * Issuing one shows its token once; revoking one stops it within the authorizer's cache time.
 */
export function CredentialsPage({ api }: { api: Api }) {
  const [credentials, setCredentials] = useState<Credential[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<Issued | null>(null);
  const [status, setStatus] = useState('');

  const reload = useCallback(async () => {
    try {
      setCredentials(await allCredentials(api));
      setProblem(null);
    } catch (error) {
      setProblem(`Could not load device credentials: ${errorText(error)}`);
    }
  }, [api]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return (
    <section aria-labelledby="credentials-heading">
      <div class="section-head">
        <h1 id="credentials-heading">Device credentials</h1>
        {!creating && !issued && (
          <button type="button" onClick={() => setCreating(true)}>
            New credential
          </button>
        )}
      </div>
      <p class="hint">
        Each device or gateway sends its readings with a credential of its own, which can do nothing
        else and only for the devices it names.
      </p>
      <p class="visually-hidden" role="status">
        {status}
      </p>
      <Problem text={problem} />
      {creating && (
        <CredentialForm
          api={api}
          onIssued={(created) => {
            setCreating(false);
            setIssued(created);
            void reload();
          }}
          onCancel={() => setCreating(false)}
        />
      )}
      {issued && <IssuedToken issued={issued} onDone={() => setIssued(null)} />}
      {credentials === null ? (
        <p class="empty">Loading device credentials…</p>
      ) : credentials.length === 0 ? (
        <p class="empty">No device credentials yet.</p>
      ) : (
        <ul class="credential-list" aria-label="Device credentials">
          {credentials.map((credential) => (
            <CredentialItem
              key={credential.id}
              api={api}
              credential={credential}
              onRevoked={() => {
                setStatus(`Credential ${credential.name} revoked.`);
                void reload();
              }}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function CredentialForm(props: { api: Api; onIssued(issued: Issued): void; onCancel(): void }) {
  const { api, onIssued, onCancel } = props;
  const [draft, setDraft] = useState<CredentialDraft>(emptyCredentialDraft);
  const [problem, setProblem] = useState<CredentialProblem | null>(null);
  const [saving, setSaving] = useState(false);
  const id = useId();
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    form.current?.querySelector<HTMLElement>('input')?.focus();
  }, []);

  const set = (field: CredentialField, value: string) => {
    setDraft((current) => ({ ...current, [field]: value }));
    if (problem?.field === field) setProblem(null);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const found = credentialProblem(draft);
    setProblem(found);
    if (found) return;
    setSaving(true);
    try {
      const result = await api.request(createDeviceCredentialMutation, {
        input: credentialInput(draft),
      });
      onIssued(result.createDeviceCredential);
    } catch (error) {
      setProblem({ field: null, message: errorText(error) });
    } finally {
      setSaving(false);
    }
  };

  const attrs = (name: CredentialField, hint?: boolean) => {
    const invalid = problem?.field === name;
    return {
      id: `${id}-${name}`,
      name,
      autoComplete: 'off',
      value: draft[name],
      'aria-invalid': invalid ? ('true' as const) : undefined,
      'aria-describedby': invalid ? `${id}-problem` : hint ? `${id}-${name}-hint` : undefined,
      onInput: (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) =>
        set(name, e.currentTarget.value),
    };
  };

  return (
    <form
      ref={form}
      class="credential-form"
      onSubmit={submit}
      noValidate
      aria-label="New credential"
    >
      <h2>New device credential</h2>
      <div class="fields">
        <div class="field">
          <label for={`${id}-name`}>Name</label>
          <input type="text" {...attrs('name', true)} />
          <small id={`${id}-name-hint`} class="hint">
            Which device or gateway holds it, e.g. berlin-gateway-1
          </small>
        </div>
        <div class="field">
          <label for={`${id}-deviceIds`}>Device ids</label>
          <textarea rows={3} {...attrs('deviceIds', true)} />
          <small id={`${id}-deviceIds-hint`} class="hint">
            Separated by commas or new lines
          </small>
        </div>
        <div class="field">
          <label for={`${id}-deviceIdPrefix`}>Device id prefix</label>
          <input type="text" {...attrs('deviceIdPrefix', true)} />
          <small id={`${id}-deviceIdPrefix-hint`} class="hint">
            Also covers every device id starting with it, e.g. berlin-
          </small>
        </div>
      </div>
      <Problem text={problem?.message} id={`${id}-problem`} />
      <div class="actions">
        <button type="submit" disabled={saving}>
          {saving ? 'Creating…' : 'Create credential'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The token of a credential just issued: the only time anyone sees it. */
function IssuedToken({ issued, onDone }: { issued: Issued; onDone(): void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const field = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(issued.token);
      setCopied('Copied to the clipboard.');
    } catch {
      // No clipboard access (an insecure origin, say): select it for the user to copy.
      field.current?.select();
      setCopied('Selected: copy it with your keyboard.');
    }
  };

  return (
    <section class="issued-token" aria-labelledby="issued-heading">
      <h2 id="issued-heading" ref={heading} tabIndex={-1}>
        Token for {issued.credential.name}
      </h2>
      <p class="once">
        <strong>Shown once.</strong> Copy it now and put it on the device: it is stored only as a
        hash and cannot be shown again. Lost, it can only be revoked and replaced.
      </p>
      <div class="token-row">
        <label class="visually-hidden" for="issued-token">
          Device token
        </label>
        <input id="issued-token" ref={field} type="text" readOnly value={issued.token} />
        <button type="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p role="status">{copied}</p>
      <p class="hint">
        The device sends it as its <code>Authorization</code> header with <code>ingestEvent</code>{' '}
        or <code>ingestEvents</code>.
      </p>
      <button type="button" onClick={onDone}>
        Done
      </button>
    </section>
  );
}

function CredentialItem(props: { api: Api; credential: Credential; onRevoked(): void }) {
  const { api, credential, onRevoked } = props;
  const [problem, setProblem] = useState<string | null>(null);

  const revoke = async () => {
    setProblem(null);
    try {
      await api.request(revokeDeviceCredentialMutation, { id: credential.id });
      onRevoked();
      return true;
    } catch (error) {
      setProblem(`Not revoked: ${errorText(error)}`);
      return false;
    }
  };

  const revoked = credential.revokedAt !== null;
  return (
    <li class={`credential-item ${revoked ? 'revoked' : ''}`} data-credential-id={credential.id}>
      <div class="rule-main">
        <strong>{credential.name}</strong>
        {revoked && <span class="badge status">REVOKED</span>}
      </div>
      <p class="rule-detail">{scopeText(credential)}</p>
      <p class="rule-detail">
        Created by {credential.createdBy} at {dateTime(credential.createdAt)} · last used{' '}
        {credential.lastUsedAt ? dateTime(credential.lastUsedAt) : 'never'}
        {credential.revokedAt &&
          ` · revoked by ${credential.revokedBy ?? 'someone'} at ${dateTime(credential.revokedAt)}`}
      </p>
      {!revoked && (
        <div class="actions">
          <ConfirmedAction
            label="Revoke"
            question={`Revoke ${credential.name}? Its devices are refused within ${REVOCATION_MINUTES} minutes, for good.`}
            confirmLabel="Yes, revoke"
            onConfirm={revoke}
          />
        </div>
      )}
      <Problem text={problem} />
    </li>
  );
}

/** The devices a credential covers, in words. */
function scopeText(credential: Credential): string {
  const parts = [
    credential.deviceIds.length > 0 ? `devices ${credential.deviceIds.join(', ')}` : null,
    credential.deviceIdPrefix ? `device ids starting with ${credential.deviceIdPrefix}` : null,
  ].filter(Boolean);
  return `Covers ${parts.join(' and ')}`;
}
