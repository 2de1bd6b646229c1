import { h } from './dom.js';

const STORAGE_KEY = 'lakestream-theme';

/** The colour theme. */
export type Theme = 'light' | 'dark';

/** The event dispatched on `document` after the theme changed. */
export const THEME_EVENT = 'lakestream:theme';

/** The saved theme, else the system preference. */
export function initialTheme(): Theme {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Applies a theme to the document and tells the charts. */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  document.dispatchEvent(new CustomEvent(THEME_EVENT, { detail: theme }));
}

/** The button that switches between light and dark and remembers the choice. */
export function themeToggle(): HTMLButtonElement {
  const label = (): string => (document.documentElement.dataset.theme === 'dark' ? '☀ Light' : '☾ Dark');
  const button = h('button', { class: 'btn btn-ghost', type: 'button', 'data-testid': 'btn-theme' }, label());
  button.addEventListener('click', () => {
    const next: Theme = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem(STORAGE_KEY, next);
    applyTheme(next);
    button.textContent = label();
  });
  return button;
}
