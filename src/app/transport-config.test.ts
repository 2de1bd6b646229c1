import { describe, expect, it } from 'vitest';
import { configChecks } from './model-config.js';
import { parseTransport } from './transport-config.js';

const checks = configChecks('lakestream.yaml');
const parse = (raw: unknown, name = 'markets') => parseTransport(raw, name, checks);

describe('transport config', () => {
  it('is the local write-ahead log when absent or named', () => {
    expect(parse(undefined)).toBeUndefined();
    expect(parse({})).toBeUndefined();
    expect(parse({ type: 'local' })).toBeUndefined();
  });

  it('reads Kafka brokers as a list or a comma-separated text, with the topic and group defaults', () => {
    expect(parse({ type: 'kafka', brokers: ['k1:9092', 'k2:9092'] })).toEqual({
      type: 'kafka',
      brokers: ['k1:9092', 'k2:9092'],
      topic: 'lakestream.markets.events',
      group: 'lakestream.markets.processors',
    });
    expect(parse({ type: 'kafka', brokers: 'k1:9092, k2:9092', topic: 't', group: 'g' })).toEqual({
      type: 'kafka',
      brokers: ['k1:9092', 'k2:9092'],
      topic: 't',
      group: 'g',
    });
  });

  it.each([
    ['kafka', 'transport: expected a mapping'],
    [{ type: 'nats' }, "transport.type: use 'local' (default) or 'kafka'"],
    [{ type: 'local', brokers: ['k:1'] }, 'transport.brokers: unknown key; expected one of type'],
    [{ type: 'kafka' }, 'transport.brokers: expected a list of brokers such as [localhost:9092]'],
    [
      { type: 'kafka', brokers: [] },
      'transport.brokers: expected a list of brokers such as [localhost:9092]',
    ],
    [{ type: 'kafka', brokers: ['k:1', 'nohost'] }, 'transport.brokers[1]: expected host:port such as'],
    [{ type: 'kafka', brokers: 'k:1,,' }, 'transport.brokers: expected a list of brokers'],
    [{ type: 'kafka', brokers: ['k:1'], topic: 'a b' }, "transport.topic: 'a b' is not a Kafka topic name"],
    [{ type: 'kafka', brokers: ['k:1'], acks: 1 }, 'transport.acks: unknown key; expected one of type'],
  ])('rejects %j: %s', (raw, message) => {
    expect(() => parse(raw)).toThrow(`config: lakestream.yaml: ${message}`);
  });

  it('checks the default topic too', () => {
    expect(() => parse({ type: 'kafka', brokers: ['k:1'] }, 'my project')).toThrow(
      "transport.topic: 'lakestream.my project.events' is not a Kafka topic name",
    );
  });
});
