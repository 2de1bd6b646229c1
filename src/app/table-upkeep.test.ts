import { describe, expect, it } from 'vitest';
import type { LakeEngine } from '../engine/index.js';
import { TableUpkeep, UPKEEP_EVERY_BATCHES } from './table-upkeep.js';

/** An engine whose catalog fails: the upkeep must log it and carry on. */
const failingEngine = {
  catalog: {
    listNamespaces: async () => {
      throw new Error('catalog unreachable');
    },
  },
} as unknown as LakeEngine;

describe('TableUpkeep', () => {
  it('is due after 50 committing micro-batches or 5 commit rounds, and not before', () => {
    const upkeep = new TableUpkeep(failingEngine, { keepSnapshots: 10 });
    for (let i = 1; i < UPKEEP_EVERY_BATCHES; i++) upkeep.batchCommitted();
    expect(upkeep.due).toBe(false);
    upkeep.batchCommitted();
    expect(upkeep.due).toBe(true);

    const rounds = new TableUpkeep(failingEngine, { keepSnapshots: 10 });
    for (let i = 0; i < 4; i++) rounds.roundCommitted();
    expect(rounds.due).toBe(false);
    rounds.roundCommitted();
    expect(rounds.due).toBe(true);
  });

  it('logs a failed pass, reports nothing done, and starts counting again', async () => {
    const lines: string[] = [];
    const upkeep = new TableUpkeep(failingEngine, { keepSnapshots: 10, log: (line) => lines.push(line) });
    for (let i = 0; i < 5; i++) upkeep.roundCommitted();
    expect(await upkeep.run()).toEqual({ expiredSnapshots: 0, compactedFiles: 0 });
    expect(lines).toEqual([expect.stringContaining('catalog unreachable')]);
    expect(upkeep.due).toBe(false);
  });
});
