import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadProjectConfig, PipelineRuntime } from '../../app/index.js';
import { simulateMarket } from '../../ingest/index.js';

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
      const sources = config.sources.map((s) => ({
        stream: s.stream,
        events: simulateMarket({ ratePerSecond: s.rate, seed: s.seed }, controller.signal),
      }));
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
          `${config.sources.length} simulator source(s), tables in ${config.dataDir}/warehouse; no API keys are configured (open ingest)`,
      );
      await new Promise<void>((done) => {
        const stop = (signal: string): void => {
          log(`${signal}: flushing and committing, then exiting`);
          controller.abort();
          void runtime.stop().then(done);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      log('stopped cleanly');
    });
}
