import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from './node-flags.js';

describe('NODE_FLAGS', () => {
  it('are the flags of the bin shebang, so every way of starting lakestream runs with them', async () => {
    const shebang = (await readFile(new URL('./bin.ts', import.meta.url), 'utf8')).split('\n')[0]!;
    expect(shebang).toBe(`#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
  });
});
