import { describe, expect, it } from 'vitest';
import { checkRoles, parseRoles } from './roles.js';

describe('roles', () => {
  it('parses comma-separated and repeated flags, in canonical order, without duplicates', () => {
    expect(parseRoles(['process,api', 'api'])).toEqual(['api', 'process']);
    expect(parseRoles(['scheduler'])).toEqual(['scheduler']);
  });

  it('names the bad role and the good ones', () => {
    expect(() => parseRoles(['api,worker'])).toThrow(
      /--role worker: not a role; use any of api, ingest, process, scheduler/,
    );
  });

  it('keeps api, ingest and process together on the local transport, and splits them on Kafka', () => {
    expect(() => checkRoles(['api'], 'local')).toThrow(/must run together/);
    expect(() => checkRoles(['scheduler'], 'local')).not.toThrow();
    expect(() => checkRoles(['api', 'ingest', 'process'], 'local')).not.toThrow();
    expect(() => checkRoles(['api'], 'kafka')).not.toThrow();
  });
});
