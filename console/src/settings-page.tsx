import { useState } from 'preact/hooks';
import type { Settings } from './settings.ts';
import { settingsProblem } from './settings.ts';

/** Endpoint, API key and the operator's name, kept in this browser only. */
export function SettingsPage(props: { settings: Settings; onSave(settings: Settings): void }) {
  const [draft, setDraft] = useState(props.settings);
  const [problem, setProblem] = useState<string | null>(settingsProblem(props.settings));
  const set = (field: keyof Settings, value: string) =>
    setDraft((current) => ({ ...current, [field]: value }));

  return (
    <section aria-labelledby="settings-heading">
      <h1 id="settings-heading">Settings</h1>
      <p>
        The console talks to the API named here. The API key and your name stay in this browser;
        they are never part of the deployed site.
      </p>
      <form
        class="settings-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const trimmed: Settings = {
            graphqlUrl: draft.graphqlUrl.trim(),
            region: draft.region.trim(),
            apiKey: draft.apiKey.trim(),
            operator: draft.operator.trim(),
          };
          const found = settingsProblem(trimmed);
          setProblem(found);
          if (!found) props.onSave(trimmed);
        }}
      >
        <div class="field">
          <label for="graphql-url">GraphQL endpoint</label>
          <input
            id="graphql-url"
            type="url"
            value={draft.graphqlUrl}
            placeholder="https://….appsync-api.eu-west-1.amazonaws.com/graphql"
            onInput={(e) => set('graphqlUrl', e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="region">Region</label>
          <input
            id="region"
            type="text"
            value={draft.region}
            onInput={(e) => set('region', e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="api-key">API key</label>
          <input
            id="api-key"
            type="password"
            autoComplete="off"
            value={draft.apiKey}
            onInput={(e) => set('apiKey', e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="operator">Your name</label>
          <input
            id="operator"
            type="text"
            autoComplete="name"
            value={draft.operator}
            onInput={(e) => set('operator', e.currentTarget.value)}
          />
          <small class="hint">Recorded when you acknowledge an alert</small>
        </div>
        {problem && (
          <p class="problem" role="alert">
            {problem}
          </p>
        )}
        <button type="submit">Save and connect</button>
      </form>
    </section>
  );
}
