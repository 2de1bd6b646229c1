import { describe, expect, it } from 'vitest';
import { applyEnvOverrides, loadProjectConfig, validateProjectConfig } from './project-config.js';

const minimal = {
  streams: {
    orders: {
      columns: [
        { name: 'id', type: 'string' },
        { name: 'amount', type: 'double', path: '$.total' },
        { name: 'at', type: 'timestamptz', encoding: 'epoch_ms' },
      ],
      key: ['id'],
      event_time: 'at',
      expectations: [{ name: 'amount_positive', kind: 'range', column: 'amount', min: 0, action: 'drop' }],
    },
  },
};

describe('project config', () => {
  it('fills defaults, resolves paths and freezes the result', async () => {
    const config = validateProjectConfig(minimal, '/p');
    expect(config).toMatchObject({
      name: 'lakestream',
      dataDir: '/p/data',
      commitIntervalMs: 1000,
      commitRows: 100_000,
      server: { host: '127.0.0.1', port: 8080 },
    });
    expect(config.streams[0]).toMatchObject({
      stream: 'orders',
      silver: { namespace: 'silver', name: 'orders' },
      watermarkMs: 3_600_000,
      columns: [{ path: '$.id' }, { path: '$.total' }, { encoding: 'epoch_ms' }],
    });
    const loaded = await loadProjectConfig(
      new URL('../../examples/markets/lakestream.yaml', import.meta.url).pathname,
      {
        LAKESTREAM_SERVER_PORT: '9999',
      },
    );
    expect(loaded.server.port).toBe(9999);
    expect(Object.isFrozen(loaded.streams[0]!.columns)).toBe(true);
    expect(loaded.sources).toEqual([
      {
        type: 'binance',
        stream: 'trades',
        url: 'wss://stream.binance.com:9443',
        restUrl: 'https://api.binance.com',
        symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT'],
        fallbackToSimulator: true,
        rate: 20,
        seed: 1,
        backfillMs: 6 * 3_600_000,
      },
      { type: 'company', stream: 'market_data', symbol: 'ACME', priceBand: [95, 105], rate: 1, seed: 1 },
    ]);
  });

  it('trains declared models by themselves at 1,000 rows unless train_when says otherwise', () => {
    const model = { stream: 'orders', target: 'amount', features: [{ column: 'id', kind: 'categorical' }] };
    const parsed = (extra: object): unknown =>
      validateProjectConfig({ ...minimal, models: { spend: { ...model, ...extra } } }, '/p').models[0];
    expect(parsed({})).toMatchObject({ trainWhen: { rows: 1000 } });
    expect(parsed({ train_when: { rows: 50_000 }, promote_over: ['mean'] })).toMatchObject({
      trainWhen: { rows: 50_000 },
      promoteOver: ['mean'],
    });
    expect(parsed({ train_when: 'manual' })).not.toHaveProperty('trainWhen');
    expect(() => parsed({ train_when: { rows: 0 } })).toThrow(/train_when\.rows: expected a number ≥ 1/);
    expect(() => parsed({ train_when: { bytes: 5 } })).toThrow(/train_when\.bytes: unknown key/);
    expect(() => parsed({ promote_over: ['oracle'] })).toThrow(
      /promote_over\[0\]: use one of mean, median, random_forest, persistence/,
    );
  });

  it('reads a replay backfill as a row count or a share of the file', async () => {
    const replay = (backfill: unknown): unknown =>
      validateProjectConfig(
        { ...minimal, sources: [{ type: 'replay', stream: 'orders', file: 'in.csv', backfill }] },
        '/p',
      ).sources[0];
    expect(replay(8000)).toMatchObject({ type: 'replay', file: '/p/in.csv', backfill: { rows: 8000 } });
    expect(replay('50%')).toMatchObject({ backfill: { share: 0.5 } });
    expect(replay('1200')).toMatchObject({ backfill: { rows: 1200 } });
    expect(() => replay('150%')).toThrow(/sources\[0\]\.backfill: '150%' is more than the whole file/);
    expect(() => replay('6h')).toThrow(/sources\[0\]\.backfill: '6h' is neither a row count nor a share/);
    expect(() => replay(-5)).toThrow(/neither a row count nor a share/);
    const games = new URL('../../examples/games/lakestream.yaml', import.meta.url).pathname;
    expect((await loadProjectConfig(games, {})).sources[0]).toMatchObject({ backfill: { rows: 7500 } });
    expect(
      (await loadProjectConfig(games, { LAKESTREAM_SOURCES_0_BACKFILL: '6000' })).sources[0],
    ).toMatchObject({ type: 'replay', backfill: { rows: 6000 } });
  });

  it('names the bad key and what is expected', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...minimal, colour: 'red' }, /colour: unknown key/],
      [{ ...minimal, commit_rows: 0 }, /commit_rows: expected a number ≥ 1/],
      [
        { streams: { orders: { ...minimal.streams.orders, key: ['nope'] } } },
        /streams\.orders\.key: 'nope' is not a declared column/,
      ],
      [
        { streams: { orders: { ...minimal.streams.orders, columns: [{ name: 'id', type: 'dbl' }] } } },
        /columns\[0\]\.type: 'dbl' is not a type/,
      ],
      [
        { streams: { orders: { ...minimal.streams.orders, watermark: 'soon' } } },
        /watermark: 'soon' is not a duration/,
      ],
      [
        { ...minimal, sources: [{ type: 'simulator', stream: 'ghost' }] },
        /sources\[0\]\.stream: 'ghost' is not a declared stream/,
      ],
      [
        { ...minimal, sources: [{ type: 'simulator', stream: 'orders', backfill: 'a while' }] },
        /sources\[0\]\.backfill: 'a while' is not a duration/,
      ],
      [
        {
          streams: {
            orders: {
              ...minimal.streams.orders,
              expectations: [{ name: 'x', kind: 'range', column: 'id', action: 'explode' }],
            },
          },
        },
        /action: 'explode' is not an action/,
      ],
    ];
    for (const [raw, message] of cases) expect(() => validateProjectConfig(raw, '/p')).toThrow(message);
  });

  it('reads the late-event policy, quarantine by default, and rejects unknown ones', async () => {
    expect(validateProjectConfig(minimal, '/p').streams[0]!.lateEvents).toBe('quarantine');
    const dropping = { streams: { orders: { ...minimal.streams.orders, late_events: 'drop' } } };
    expect(validateProjectConfig(dropping, '/p').streams[0]!.lateEvents).toBe('drop');
    const later = { streams: { orders: { ...minimal.streams.orders, late_events: 'later' } } };
    expect(() => validateProjectConfig(later, '/p')).toThrow(
      "streams.orders.late_events: must be one of quarantine, drop, accept; got 'later'",
    );
    const markets = new URL('../../examples/markets/lakestream.yaml', import.meta.url).pathname;
    const loaded = await loadProjectConfig(markets, { LAKESTREAM_STREAMS_TRADES_LATE_EVENTS: 'accept' });
    expect(loaded.streams.find((s) => s.stream === 'trades')!.lateEvents).toBe('accept');
    await expect(
      loadProjectConfig(markets, { LAKESTREAM_STREAMS_TRADES_LATE_EVENTS: 'never' }),
    ).rejects.toThrow(/streams\.trades\.late_events: must be one of quarantine, drop, accept/);
  });

  it('reads time encodings and the cast-error policy, and rejects unknown ones', () => {
    const withColumn = (column: object, extra: object = {}) => ({
      streams: {
        orders: {
          ...minimal.streams.orders,
          ...extra,
          columns: [...minimal.streams.orders.columns, column],
        },
      },
    });
    const parsed = validateProjectConfig(
      withColumn({ name: 'seen', type: 'timestamp', encoding: 'epoch_us' }, { on_cast_error: 'null' }),
      '/p',
    ).streams[0]!;
    expect(parsed.columns.at(-1)).toMatchObject({ name: 'seen', encoding: 'epoch_us' });
    expect(parsed.onCastError).toBe('null');
    expect(validateProjectConfig(minimal, '/p').streams[0]!.onCastError).toBe('quarantine');
    expect(() =>
      validateProjectConfig(withColumn({ name: 'seen', type: 'timestamptz', encoding: 'epoch_ns' }), '/p'),
    ).toThrow(/columns\[3\]\.encoding: use one of iso, epoch_s, epoch_ms, epoch_us/);
    expect(() =>
      validateProjectConfig(withColumn({ name: 'n', type: 'long', encoding: 'epoch_s' }), '/p'),
    ).toThrow(/'epoch_s' is for timestamp and timestamptz columns/);
    expect(() =>
      validateProjectConfig(withColumn({ name: 'n', type: 'long' }, { on_cast_error: 'skip' }), '/p'),
    ).toThrow("streams.orders.on_cast_error: must be one of quarantine, null; got 'skip'");
  });

  it('overrides scalars from LAKESTREAM_* env vars', () => {
    expect(
      applyEnvOverrides(
        { server: { port: 1 }, commit_interval_ms: 5, name: 'x' },
        { LAKESTREAM_SERVER_PORT: '2', LAKESTREAM_NAME: 'y' },
      ),
    ).toEqual({
      server: { port: 2 },
      commit_interval_ms: 5,
      name: 'y',
    });
  });
});
