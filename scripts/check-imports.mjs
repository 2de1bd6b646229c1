// Fails when a relative import in src/, test/ or bench/ lacks the `.js` extension ESM needs at run time.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['src', 'test', 'bench'];
const importPattern = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;
const problems = [];

function walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith('.ts')) check(path);
  }
}

function check(path) {
  const text = readFileSync(path, 'utf8');
  for (const match of text.matchAll(importPattern)) {
    if (!match[1].endsWith('.js') && !match[1].endsWith('.json')) problems.push(`${path}: '${match[1]}'`);
  }
}

roots.forEach(walk);
if (problems.length > 0) {
  console.error(`relative imports without .js:\n${problems.join('\n')}`);
  process.exit(1);
}
