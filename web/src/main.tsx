import { render } from 'preact';
import { App } from './app.js';
import { installSearchKey } from './keyboard.js';
import { interceptLinks } from './router.js';
import { applyTheme } from './theme.js';
import './styles.css';

applyTheme();
interceptLinks();
installSearchKey();
const root = document.getElementById('app');
if (root) render(<App />, root);
