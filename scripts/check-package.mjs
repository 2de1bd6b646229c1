// After `npm run build`: fails when a file package.json points at (bin, main, types, exports) was not built.
// lakestream ships a command and a server, not a library, so package.json names only the command; this
// keeps it from naming a file the build does not make (it once pointed `main` at a dist/index.js never built).
import { existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

/** Every file path in a package.json field: a string, or the values of a (nested) map. */
function targets(field) {
  if (typeof field === 'string') return [field];
  if (field === null || typeof field !== 'object') return [];
  return Object.values(field).flatMap(targets);
}

const named = ['bin', 'main', 'types', 'exports'].flatMap((key) =>
  targets(pkg[key]).map((path) => ({ key, path })),
);
const missing = named.filter(({ path }) => !path.includes('*') && !existsSync(path));
if (missing.length > 0) {
  const lines = missing.map(({ key, path }) => `- ${key}: ${path}`);
  console.error(
    `package.json names files the build did not make (run npm run build first):\n${lines.join('\n')}`,
  );
  process.exit(1);
}
