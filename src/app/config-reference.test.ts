import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { configReference } from './config-reference.js';

const DOC = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url));
const START = '<!-- reference: written by src/app/config-reference.ts -->';
const END = '<!-- end of reference -->';

describe('config reference', () => {
  it('docs/configuration.md holds the reference the schemas give (UPDATE_CONFIG_REFERENCE=1 rewrites it)', async () => {
    const doc = await readFile(DOC, 'utf8');
    const [before, rest] = doc.split(START);
    const after = rest?.split(END)[1];
    expect(after, `${DOC} lacks the reference markers`).toBeDefined();
    const written = await format(`${before}${START}\n\n${configReference()}\n${END}${after}`, {
      ...(await resolveConfig(DOC)),
      filepath: DOC,
    });
    if (process.env.UPDATE_CONFIG_REFERENCE === '1') await writeFile(DOC, written);
    else
      expect(doc, 'run UPDATE_CONFIG_REFERENCE=1 npx vitest run src/app/config-reference.test.ts').toBe(
        written,
      );
  });

  it('names every key with its type and default', () => {
    const reference = configReference();
    expect(reference).toContain('- `port`: whole number ≥ 0 and ≤ 65535, default `8080`.');
    expect(reference).toContain('### `streams.<name>.columns[]`');
    expect(reference).toContain('- `watermark`: duration, default `1h`.');
    expect(reference).toContain('### `catalog (type: rest)`');
  });
});
