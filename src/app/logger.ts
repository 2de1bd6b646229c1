import { destination, pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * The process logger: JSON lines on stderr (one object per line with `level`, `time`, `msg`, and
 * `reqId` for requests), or readable lines when stderr is a terminal. `LAKESTREAM_LOG_LEVEL` sets
 * the level (default `info`; `debug` adds every HTTP request). Authorization headers are redacted;
 * the HTTP API also redacts API keys in URLs.
 */
export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env.LAKESTREAM_LOG_LEVEL ?? 'info';
  const config = {
    level,
    base: undefined,
    redact: { paths: ['req.headers.authorization', 'headers.authorization'], censor: '[redacted]' },
  };
  if (options.pretty ?? process.stderr.isTTY) {
    return pino(
      config,
      pretty({ destination: 2, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }),
    );
  }
  return pino(config, destination({ dest: 2, sync: true }));
}
