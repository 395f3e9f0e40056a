import { render } from 'preact';
import { App } from './app.tsx';
import { effectiveSettings, loadSiteConfig, storedSettings } from './settings.ts';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  const settings = effectiveSettings(await loadSiteConfig(), storedSettings());
  render(<App initial={settings} />, root);
}
