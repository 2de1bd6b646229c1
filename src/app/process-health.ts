import type { IntervalHistogram } from 'node:perf_hooks';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** One reading of the process's own health. */
export interface ProcessHealth {
  /** CPU used since the previous reading; 100 = one core. */
  readonly cpuPercent: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** 99th percentile event-loop delay since the previous reading. */
  readonly eventLoopLagMs: number;
}

/** Reads CPU, memory and event-loop delay of this process; each reading covers the time since the last. */
export class ProcessHealthMeter {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor() {
    this.loopDelay.enable();
  }

  read(): ProcessHealth {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedMs = Math.max(1, now - this.lastAt);
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    const memory = process.memoryUsage();
    const lagMs = this.loopDelay.count > 0 ? this.loopDelay.percentile(99) / 1e6 : 0;
    this.loopDelay.reset();
    return {
      cpuPercent: round1(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      eventLoopLagMs: round1(lagMs),
    };
  }

  close(): void {
    this.loopDelay.disable();
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
