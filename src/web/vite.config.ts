import { defineConfig } from 'vite';

/** A directory path for a URL relative to this file (works from any working directory). */
function here(relative: string): string {
  return decodeURIComponent(new URL(relative, import.meta.url).pathname);
}

/**
 * Builds the dashboard from src/web into dist/web; the API process serves it at `/`. `vite --config
 * src/web/vite.config.ts` serves it for development with `/v1` proxied to the markets demo on :8080.
 */
export default defineConfig({
  root: here('.'),
  base: './',
  publicDir: false,
  build: {
    outDir: here('../../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: { '/v1': 'http://127.0.0.1:8080' },
  },
});
