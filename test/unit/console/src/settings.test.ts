import { describe, expect, it } from 'vitest';
import type { Settings, SiteConfig } from '../../../../console/src/settings.ts';
import { effectiveSettings, settingsToStore } from '../../../../console/src/settings.ts';

const localSite: SiteConfig = {
  graphqlUrl: 'http://localhost:4000/graphql',
  region: 'us-east-1',
  apiKey: 'da2-local',
};

describe('settingsToStore', () => {
  it('given the site config unchanged in Settings, when saved, then only the operator is kept, so a later config.json takes effect', () => {
    // Prepare
    const saved: Settings = { ...effectiveSettings(localSite, {}), operator: 'Jane Doe' };

    // Act
    const stored = settingsToStore(saved, localSite);
    const later = effectiveSettings(
      { ...localSite, graphqlUrl: 'http://localhost:4100/graphql', apiKey: 'da2-new' },
      stored,
    );

    // Assess
    expect(stored).toEqual({ operator: 'Jane Doe' });
    expect(later).toEqual({
      graphqlUrl: 'http://localhost:4100/graphql',
      region: 'us-east-1',
      apiKey: 'da2-new',
      operator: 'Jane Doe',
    });
  });

  it('given a deployed site without a key, when the operator enters one, then the key is kept and the endpoint is not', () => {
    // Prepare
    const site: SiteConfig = {
      graphqlUrl: 'https://abc.appsync-api.eu-west-1.amazonaws.com/graphql',
      region: 'eu-west-1',
    };

    // Act
    const stored = settingsToStore(
      { ...effectiveSettings(site, {}), apiKey: 'da2-typed', operator: '' },
      site,
    );

    // Assess
    expect(stored).toEqual({ apiKey: 'da2-typed', operator: '' });
  });

  it('given no site config, when saved, then every field is kept', () => {
    // Prepare
    const saved: Settings = {
      graphqlUrl: 'https://api.example.com/graphql',
      region: 'eu-central-1',
      apiKey: 'da2-typed',
      operator: 'Sam',
    };

    // Act and assess
    expect(settingsToStore(saved, null)).toEqual(saved);
  });
});
