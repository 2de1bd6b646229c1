import { describe, expect, it } from 'vitest';
import type { Service } from './service.js';
import { startServices, stopServices } from './service.js';

function recorder(events: string[], name: string, fail?: 'start' | 'stop'): Service {
  return {
    name,
    start: async () => {
      if (fail === 'start') throw new Error(`${name} cannot start`);
      events.push(`start ${name}`);
    },
    stop: async () => {
      events.push(`stop ${name}`);
      if (fail === 'stop') throw new Error(`${name} cannot stop`);
    },
  };
}

describe('services', () => {
  it('start in order and stop newest first', async () => {
    const events: string[] = [];
    const services = [recorder(events, 'a'), recorder(events, 'b')];
    await startServices(services);
    await stopServices(services);
    expect(events).toEqual(['start a', 'start b', 'stop b', 'stop a']);
  });

  it('stop the started ones when a later one cannot start', async () => {
    const events: string[] = [];
    await expect(
      startServices([recorder(events, 'a'), recorder(events, 'b', 'start'), recorder(events, 'c')]),
    ).rejects.toThrow('b cannot start');
    expect(events).toEqual(['start a', 'stop a']);
  });

  it('stop every service when one fails to stop, then report that failure', async () => {
    const events: string[] = [];
    const services = [recorder(events, 'a'), recorder(events, 'b', 'stop'), recorder(events, 'c')];
    await startServices(services);
    await expect(stopServices(services)).rejects.toThrow('b cannot stop');
    expect(events.slice(3)).toEqual(['stop c', 'stop b', 'stop a']);
  });
});
