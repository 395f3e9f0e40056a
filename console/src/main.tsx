import { render } from 'preact';
import { App, SiteProblem } from './app.tsx';
import { configureSession } from './session.ts';
import { forgetLegacySettings, loadSiteConfig } from './site-config.ts';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  forgetLegacySettings();
  const site = await loadSiteConfig();
  if ('problem' in site) render(<SiteProblem problem={site.problem} />, root);
  else {
    configureSession(site.config);
    render(<App config={site.config} />, root);
  }
}
