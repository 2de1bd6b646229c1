import { describe, expect, it } from 'vitest';
import { DEFAULT_QUERY_BUDGET } from '../engine/index.js';
import { configChecks } from './model-config.js';
import { applyEnvOverrides, validateProjectConfig } from './project-config.js';
import { parseByteSize, parseQueryConfig, queryConfigFromEnv } from './query-config.js';

const checks = configChecks('lakestream.yaml');

const project = {
  streams: {
    orders: {
      columns: [
        { name: 'id', type: 'string' },
        { name: 'at', type: 'timestamptz' },
      ],
      key: ['id'],
      event_time: 'at',
    },
  },
};

describe('query config', () => {
  it('defaults to 512MB, 1 thread, 30 s and a 32MB result without a query section', () => {
    expect(parseQueryConfig(undefined, checks, {})).toEqual({
      memoryLimitBytes: 512_000_000,
      threads: 1,
      timeoutMs: 30_000,
      maxResultBytes: 32_000_000,
    });
    expect(parseQueryConfig(undefined, checks, {})).toEqual(DEFAULT_QUERY_BUDGET);
  });

  it('reads every key', () => {
    expect(
      parseQueryConfig(
        { memory_limit: '1GB', threads: 2, timeout: '2m', max_result_size: '64MiB' },
        checks,
        {},
      ),
    ).toEqual({ memoryLimitBytes: 1e9, threads: 2, timeoutMs: 120_000, maxResultBytes: 64 * 2 ** 20 });
  });

  it('reads sizes as DuckDB does', () => {
    const size = (value: unknown) => parseByteSize(value, 'k', checks.bad);
    expect(size('512MB')).toBe(512_000_000);
    expect(size('512 MiB')).toBe(512 * 2 ** 20);
    expect(size('1.5gb')).toBe(1_500_000_000);
    expect(size('4KiB')).toBe(4096);
    expect(size(1048576)).toBe(1048576);
    expect(size('100B')).toBe(100);
  });

  it.each([
    [{ memory_limit: 'lots' }, /query\.memory_limit: 'lots' is not a size; write e\.g\. 512MB/],
    [{ memory_limit: '1MB' }, /query\.memory_limit: '1MB' is too small/],
    [{ memory_limit: true }, /query\.memory_limit: 'true' is not a size/],
    [{ memory_limit: '1e30' }, /is not a size/],
    [{ memory_limit: '99999999TB' }, /is too large/],
    [{ threads: 0 }, /query\.threads: '0' is not a thread count/],
    [{ threads: 1.5 }, /query\.threads/],
    [{ timeout: 'soon' }, /query\.timeout: 'soon' is not a duration/],
    [{ max_result_size: '10B' }, /query\.max_result_size: '10B' is too small/],
    [
      { memory: '1GB' },
      /query\.memory: unknown key; expected one of memory_limit, threads, timeout, max_result_size/,
    ],
    [['1GB'], /query: expected a mapping/],
  ])('refuses %j', (raw, message) => {
    expect(() => parseQueryConfig(raw, checks, {})).toThrow(message);
  });

  it('takes keys the file leaves out from LAKESTREAM_QUERY_* env vars', () => {
    const env = {
      LAKESTREAM_QUERY_MEMORY_LIMIT: '256MB',
      LAKESTREAM_QUERY_THREADS: '4',
      LAKESTREAM_QUERY_TIMEOUT: '5s',
      LAKESTREAM_QUERY_MAX_RESULT_SIZE: '1MB',
    };
    expect(parseQueryConfig({ threads: 2 }, checks, env)).toEqual({
      memoryLimitBytes: 256_000_000,
      threads: 2,
      timeoutMs: 5000,
      maxResultBytes: 1_000_000,
    });
    expect(queryConfigFromEnv(env).threads).toBe(4);
    expect(() => queryConfigFromEnv({ LAKESTREAM_QUERY_THREADS: 'many' })).toThrow(
      /LAKESTREAM_QUERY_THREADS: 'many' is not a thread count/,
    );
  });

  it('is part of the project config, where env vars override the file', () => {
    const raw = { ...project, query: { memory_limit: '1GB', threads: 2 } };
    const config = validateProjectConfig(
      applyEnvOverrides(raw, { LAKESTREAM_QUERY_MEMORY_LIMIT: '768MB', LAKESTREAM_QUERY_THREADS: '3' }),
      '/tmp',
    );
    expect(config.query.memoryLimitBytes).toBe(768_000_000);
    expect(config.query.threads).toBe(3);
    expect(validateProjectConfig(project, '/tmp').query.memoryLimitBytes).toBeGreaterThan(0);
    expect(() => validateProjectConfig({ ...project, query: { threads: -1 } }, '/tmp')).toThrow(
      /lakestream\.yaml: query\.threads/,
    );
  });
});
