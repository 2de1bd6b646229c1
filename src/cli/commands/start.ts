import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadProjectConfig, PipelineRuntime } from '../../app/index.js';
import { binanceTrades, simulateMarket, withFallback } from '../../ingest/index.js';

/** `lakestream start [project]`: runs a pipeline project until SIGTERM/SIGINT. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run a pipeline project (HTTP ingest API, sources, bronze and silver stages) until stopped')
    .argument('[project]', 'project folder or its lakestream.yaml', '.')
    .action(async (project: string) => {
      const path = resolve(project);
      const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'lakestream.yaml') : path;
      const config = await loadProjectConfig(file);
      const log = (line: string): void => {
        process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), msg: line })}\n`);
      };
      const controller = new AbortController();
      const sources = config.sources.map((s) => {
        const simulated = (signal: AbortSignal): AsyncIterable<string> =>
          simulateMarket({ ratePerSecond: s.rate, seed: s.seed }, signal);
        if (s.type === 'simulator') return { stream: s.stream, events: simulated(controller.signal) };
        let connected = false;
        const live = (signal: AbortSignal): AsyncIterable<string> =>
          binanceTrades(
            {
              baseUrl: s.url,
              symbols: s.symbols,
              onStatus: (status) => {
                if (status.state === 'connected') connected = true;
                if (connected && status.reason)
                  log(`binance ${s.stream}: ${status.state} (${status.reason})`);
              },
            },
            signal,
          );
        const events = s.fallbackToSimulator
          ? withFallback(
              live,
              simulated,
              {
                timeoutMs: 5000,
                onFallback: (reason) =>
                  log(`binance ${s.stream}: ${reason} — the market simulator feeds ${s.stream} instead`),
              },
              controller.signal,
            )
          : live(controller.signal);
        return { stream: s.stream, events };
      });
      const runtime = await PipelineRuntime.start({
        dataDir: config.dataDir,
        host: config.server.host,
        port: config.server.port,
        streams: config.streams,
        commitIntervalMs: config.commitIntervalMs,
        sources,
        log,
      });
      log(
        `${config.name}: API on http://${config.server.host}:${runtime.port}, streams ${config.streams.map((s) => s.stream).join(', ')}, ` +
          `sources ${config.sources.map((s) => `${s.type}→${s.stream}`).join(', ') || 'none'}, tables in ${config.dataDir}/warehouse; no API keys are configured (open ingest)`,
      );
      await new Promise<void>((done) => {
        let stopping = false;
        const stop = (signal: string): void => {
          if (stopping) {
            log(`${signal}: already stopping (committing what was acknowledged); send SIGKILL to abort`);
            return;
          }
          stopping = true;
          log(`${signal}: flushing and committing, then exiting`);
          controller.abort();
          void runtime.stop().then(done);
        };
        process.on('SIGTERM', () => stop('SIGTERM'));
        process.on('SIGINT', () => stop('SIGINT'));
      });
      log('stopped cleanly');
    });
}
