import { describe, expect, it } from 'vitest';
import type { BinanceTrade } from '../binance/binance-trade.js';
import { simulateMarket } from './market-simulator.js';

async function collect(
  options: Parameters<typeof simulateMarket>[0],
  signal?: AbortSignal,
): Promise<BinanceTrade[]> {
  const out: BinanceTrade[] = [];
  for await (const message of simulateMarket(options, signal)) out.push(JSON.parse(message) as BinanceTrade);
  return out;
}

describe('market simulator', () => {
  it('emits Binance trade messages, deterministic for a seed', async () => {
    const a = await collect({ seed: 7, limit: 2000, virtualTime: true, startTimeMs: 1_795_000_000_000 });
    const b = await collect({ seed: 7, limit: 2000, virtualTime: true, startTimeMs: 1_795_000_000_000 });
    expect(a).toEqual(b);
    expect(Object.keys(a[0]!).sort()).toEqual(['E', 'M', 'T', 'e', 'm', 'p', 'q', 's', 't']);
    expect(new Set(a.map((t) => t.s))).toEqual(new Set(['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT']));
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const trades = a.filter((t) => t.s === symbol);
      const ids = trades.map((t) => t.t);
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      expect(new Set(ids).size).toBe(ids.length);
      for (const t of trades) {
        expect(Number(t.p)).toBeGreaterThan(0);
        expect(Number(t.q)).toBeGreaterThan(0);
        expect(t.E).toBeGreaterThanOrEqual(t.T);
      }
    }
    const btc = a.filter((t) => t.s === 'BTCUSDT').map((t) => Number(t.p));
    expect(Math.max(...btc) / Math.min(...btc)).toBeLessThan(1.1);
  });

  it('paces messages in real time and stops when aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const trades = await collect({ seed: 1, ratePerSecond: 100 }, controller.signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(trades.length).toBeGreaterThan(10);
    expect(trades.length).toBeLessThan(80);
  });

  it('backfills history as fast as it goes, then paces in real time from now', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const trades: BinanceTrade[] = [];
    let caughtUpAt: number | undefined;
    setTimeout(() => controller.abort(), 4_000);
    for await (const text of simulateMarket(
      { seed: 3, ratePerSecond: 20, backfillMs: 600_000 },
      controller.signal,
    )) {
      const trade = JSON.parse(text) as BinanceTrade;
      trades.push(trade);
      if (caughtUpAt === undefined && trade.T >= started) caughtUpAt = Date.now();
    }
    expect(trades[0]!.T).toBeGreaterThanOrEqual(started - 600_000);
    expect(trades[0]!.T).toBeLessThan(started - 590_000);
    const history = trades.filter((t) => t.T < started);
    expect(history.length).toBeGreaterThan(10_000);
    expect(history.length).toBeLessThan(14_000);
    // ten minutes of history in a moment, then live: about 20 trades a second
    expect(caughtUpAt! - started).toBeLessThan(3_000);
    expect(trades.length - history.length).toBeLessThan(140);
    const times = trades.map((t) => t.T);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('rejects an impossible rate', async () => {
    await expect(collect({ ratePerSecond: 1e6 })).rejects.toThrow(/out of range/);
  });
});
