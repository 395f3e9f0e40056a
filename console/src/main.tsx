import { render } from 'preact';
import { App } from './app.tsx';
import { effectiveSettings, loadSiteConfig, storedSettings } from './settings.ts';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  const site = await loadSiteConfig();
  render(<App site={site} initial={effectiveSettings(site, storedSettings())} />, root);
}
