/** The dashboard's entry: renders the app into the page (esbuild bundles this file and what it imports). */
import { render } from 'preact';
import { App } from './components/App.js';

const root = document.getElementById('app');
if (root !== null) {
  root.textContent = '';
  render(<App />, root);
}
