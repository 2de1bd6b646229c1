/** Series colours that read well on both themes. */
export const SERIES = {
  blue: '#3b82f6',
  orange: '#f59e0b',
  green: '#10b981',
  red: '#ef4444',
  purple: '#a855f7',
  teal: '#14b8a6',
  gray: '#94a3b8',
} as const;

/** A colour with an alpha channel, from a `#rrggbb` colour. */
export function withAlpha(hex: string, alpha: number): string {
  const value = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255}, ${alpha})`;
}

/** A theme colour from a CSS custom property of the document (axis text, grid lines). */
export function themeColor(name: '--chart-axis' | '--chart-grid' | '--fg'): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}
