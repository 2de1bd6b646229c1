import { describe, expect, it } from 'vitest';
import type { TailSize } from '../engine/index.js';
import type { Stage, StageKind } from '../stream/index.js';
import { StageRunner } from './stage-runner.js';

/** An in-memory stage: it logs what the runner asks of it and returns the rows it was given. */
class MemoryStage implements Stage<number> {
  readonly kind: StageKind;
  readonly name: string;
  inputs: string[] = [];
  private readonly log: string[];
  private readonly behaviour: { rows?: number; commitRows?: number; fails?: boolean };

  constructor(
    kind: StageKind,
    name: string,
    log: string[],
    behaviour: { rows?: number; commitRows?: number; fails?: boolean } = {},
  ) {
    this.kind = kind;
    this.name = name;
    this.log = log;
    this.behaviour = behaviour;
  }

  async open(): Promise<void> {
    this.log.push(`open ${this.name}`);
  }

  async runOnce(): Promise<number> {
    this.log.push(`run ${this.name}`);
    if (this.behaviour.fails) throw new Error(`${this.name} broke`);
    return this.behaviour.rows ?? 0;
  }

  async commit(): Promise<number> {
    this.log.push(`commit ${this.name}`);
    return this.behaviour.commitRows ?? 0;
  }

  async close(): Promise<void> {
    this.log.push(`close ${this.name}`);
  }

  inputsCommitted(tables: readonly string[]): void {
    this.inputs.push(...tables);
  }
}

const rows = (_stage: Stage, result: unknown) => ({ rowsIn: result as number, rowsOut: result as number });

/** A stage that logs its start, waits for `gate()`, logs its end, then fails or returns `rows`. */
function gatedStage(
  kind: StageKind,
  name: string,
  log: string[],
  gate: () => Promise<void>,
  behaviour: { rows?: number; fails?: boolean } = {},
): Stage<number> {
  return {
    kind,
    name,
    open: async () => undefined,
    runOnce: async () => {
      log.push(`start ${name}`);
      await gate();
      log.push(`end ${name}`);
      if (behaviour.fails) throw new Error(`${name} broke`);
      return behaviour.rows ?? 1;
    },
    commit: async () => {
      log.push(`commit ${name}`);
      return behaviour.rows ?? 0;
    },
    close: async () => undefined,
  };
}

describe('StageRunner over in-memory stages', () => {
  it('runs bronze, silver, gold and accuracy in that order; gold refreshes from the silver tables that committed', async () => {
    const log: string[] = [];
    const gold = new MemoryStage('gold', 'gold', log);
    const stages = [
      new MemoryStage('accuracy', 'accuracy', log),
      gold,
      new MemoryStage('silver', 'silver.a', log, { rows: 2 }),
      new MemoryStage('silver', 'silver.b', log, { rows: 0 }),
      new MemoryStage('bronze', 'bronze.events', log, { rows: 5 }),
    ];
    const runner = new StageRunner({ stages, hooks: { rows } });
    await runner.open();
    expect(await runner.runOnce()).toEqual({
      rowsIn: 5,
      commitRound: false,
      committed: ['silver.a'],
      overlapped: false,
      silverBehind: false,
    });
    await runner.close();
    expect(log).toEqual([
      'open bronze.events',
      'open silver.a',
      'open silver.b',
      'open gold',
      'open accuracy',
      'run bronze.events',
      'run silver.a',
      'run silver.b',
      'run gold',
      'run accuracy',
      'close accuracy',
      'close gold',
      'close silver.a',
      'close silver.b',
      'close bronze.events',
    ]);
    expect(gold.inputs).toEqual(['silver.a']);
  });

  it('commits the tails on the commit clock only, bronze before silver, and then refreshes gold', async () => {
    const log: string[] = [];
    let now = 10_000;
    let tails: TailSize[] = [];
    const gold = new MemoryStage('gold', 'gold', log);
    const runner = new StageRunner({
      stages: [
        new MemoryStage('bronze', 'bronze.events', log, { rows: 3, commitRows: 3 }),
        new MemoryStage('silver', 'silver.a', log, { rows: 3, commitRows: 3 }),
        new MemoryStage('silver', 'silver.b', log, { rows: 0, commitRows: 0 }),
        gold,
      ],
      commitClock: { maxAgeMs: 1000, targetBytes: 1000 },
      tails: () => tails,
      now: () => now,
      hooks: { rows },
    });
    expect(await runner.runOnce(), 'nothing in the tails').toMatchObject({
      commitRound: false,
      committed: [],
    });
    tails = [{ table: 'bronze.events', batches: 1, records: 3, bytes: 10, oldestMs: now }];
    now += 999;
    expect(await runner.runOnce(), 'younger than the maximum age').toMatchObject({ commitRound: false });
    now += 1;
    log.length = 0;
    expect(await runner.runOnce()).toEqual({
      rowsIn: 3,
      commitRound: true,
      committed: ['silver.a'],
      overlapped: false,
      silverBehind: false,
    });
    expect(log).toEqual([
      'run bronze.events',
      'run silver.a',
      'run silver.b',
      'commit bronze.events',
      'commit silver.a',
      'commit silver.b',
      'run gold',
    ]);
    tails = [{ table: 'silver.a', batches: 9, records: 9, bytes: 1000, oldestMs: now }];
    expect((await runner.runOnce()).commitRound, 'a tail of the target size commits at once').toBe(true);
    expect(gold.inputs).toEqual(['silver.a', 'silver.a']);
  });

  it('ends a batch at a failing stage, keeps going past a failing tolerated stage, and runs only what this process leads', async () => {
    const log: string[] = [];
    const failed: string[] = [];
    const succeeded: StageKind[] = [];
    let leader = true;
    const make = (silverFails: boolean) =>
      new StageRunner({
        stages: [
          new MemoryStage('bronze', 'bronze.events', log, { rows: 1 }),
          new MemoryStage('silver', 'silver.a', log, { rows: 1, fails: silverFails }),
          new MemoryStage('gold', 'gold', log, { fails: true }),
          new MemoryStage('accuracy', 'accuracy', log),
        ],
        runs: (kind) => kind === 'bronze' || leader,
        tolerated: ['gold'],
        hooks: {
          rows,
          failed: (stage, error) => failed.push(`${stage.name}: ${(error as Error).message}`),
          succeeded: (kind) => succeeded.push(kind),
        },
      });
    await expect(make(true).runOnce()).rejects.toThrow('silver.a broke');
    expect(log).toEqual(['run bronze.events', 'run silver.a']);
    expect(failed).toEqual(['silver.a: silver.a broke']);
    log.length = 0;
    failed.length = 0;
    succeeded.length = 0;
    expect(await make(false).runOnce()).toMatchObject({ committed: ['silver.a'] });
    expect(log).toEqual(['run bronze.events', 'run silver.a', 'run gold', 'run accuracy']);
    expect(failed).toEqual(['gold: gold broke']);
    expect(succeeded).toEqual(['bronze', 'silver', 'accuracy']);
    log.length = 0;
    leader = false;
    await make(false).runOnce();
    expect(log, 'a process without the silver lock runs bronze only').toEqual(['run bronze.events']);
  });

  it("runs the streams' silver stages side by side and ends a failed batch only once all of them settled", async () => {
    const log: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const runner = new StageRunner({
      stages: [
        gatedStage('silver', 'silver.a', log, () => gate, { fails: true }),
        gatedStage('silver', 'silver.b', log, () => gate),
      ],
      hooks: { rows },
    });
    const batch = runner.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log, 'both started before either ended').toEqual(['start silver.a', 'start silver.b']);
    release();
    await expect(batch).rejects.toThrow('silver.a broke');
    expect(log).toEqual(['start silver.a', 'start silver.b', 'end silver.a', 'end silver.b']);
  });

  it('overlaps bronze and silver when asked, reports silver behind, and lets silver take the whole tail before a commit round', async () => {
    const log: string[] = [];
    let release: () => void = () => undefined;
    let gate = new Promise<void>((resolve) => (release = resolve));
    let overlap = true;
    let commitNow = false;
    const runner = new StageRunner({
      stages: [
        gatedStage('bronze', 'bronze.events', log, () => gate, { rows: 4 }),
        gatedStage('silver', 'silver.a', log, () => gate, { rows: 4 }),
      ],
      overlap: () => overlap,
      commitClock: { maxAgeMs: 60_000, targetBytes: 2 ** 30 },
      tails: () => [],
      commitRequested: () => commitNow,
      hooks: { rows },
    });
    const batch = runner.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log, 'silver started beside bronze').toEqual(['start bronze.events', 'start silver.a']);
    release();
    expect(await batch).toMatchObject({
      rowsIn: 4,
      commitRound: false,
      overlapped: true,
      silverBehind: true,
    });

    log.length = 0;
    commitNow = true;
    expect(await runner.runOnce()).toMatchObject({
      commitRound: true,
      overlapped: true,
      silverBehind: false,
    });
    expect(log.filter((line) => !line.startsWith('end'))).toEqual([
      'start bronze.events',
      'start silver.a',
      'start silver.a',
      'commit bronze.events',
      'commit silver.a',
    ]);

    log.length = 0;
    overlap = false;
    commitNow = false;
    gate = Promise.resolve();
    expect(await runner.runOnce()).toMatchObject({ overlapped: false, silverBehind: false });
    expect(log).toEqual(['start bronze.events', 'end bronze.events', 'start silver.a', 'end silver.a']);
  });
});
