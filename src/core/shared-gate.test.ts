import { describe, expect, it } from 'vitest';
import { SharedGate } from './shared-gate.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SharedGate', () => {
  it('refuses exclusive work while shared work runs, and runs it once the gate is free', async () => {
    const gate = new SharedGate();
    let finish!: () => void;
    const shared = gate.shared(() => new Promise<void>((resolve) => (finish = resolve)));
    await tick();
    let ran = false;
    expect(await gate.tryExclusive(async () => void (ran = true))).toBe(false);
    expect(ran).toBe(false);
    finish();
    await shared;
    expect(await gate.tryExclusive(async () => void (ran = true))).toBe(true);
    expect(ran).toBe(true);
  });

  it('holds shared work that arrives while exclusive work runs until it is done', async () => {
    const gate = new SharedGate();
    const order: string[] = [];
    let finish!: () => void;
    const exclusive = gate.tryExclusive(async () => {
      order.push('exclusive start');
      await new Promise<void>((resolve) => (finish = resolve));
      order.push('exclusive end');
    });
    await tick();
    const shared = gate.shared(async () => void order.push('shared'));
    await tick();
    expect(order).toEqual(['exclusive start']);
    finish();
    expect(await exclusive).toBe(true);
    await shared;
    expect(order).toEqual(['exclusive start', 'exclusive end', 'shared']);
  });

  it('opens again after exclusive work fails', async () => {
    const gate = new SharedGate();
    await expect(gate.tryExclusive(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.shared(async () => 1)).toBe(1);
  });
});
