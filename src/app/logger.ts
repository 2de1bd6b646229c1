import { destination, pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Default `LAKESTREAM_LOG_LEVEL`, else `info`. */
  readonly level?: string;
  /** Readable lines instead of JSON. Default: when stderr is a terminal. */
  readonly pretty?: boolean;
  /** File descriptor the lines go to. Default 2 (stderr). */
  readonly fd?: number;
  /** Told of each failed write (a full disk, a closed pipe); the line is kept or dropped, never thrown. */
  readonly onWriteError?: (error: NodeJS.ErrnoException) => void;
}

/** Bytes of lines held while the destination cannot be written; newer lines are dropped beyond. */
const MAX_HELD_BYTES = 1024 * 1024;

/**
 * The process logger: JSON lines on stderr (one object per line with `level`, `time`, `msg`, and
 * `reqId` for requests), or readable lines when stderr is a terminal. `LAKESTREAM_LOG_LEVEL` sets
 * the level (default `info`; `debug` adds every HTTP request). Authorization headers are redacted;
 * the HTTP API also redacts API keys in URLs.
 *
 * Logging never takes the process down: when stderr cannot be written (a file on a full disk, a
 * closed pipe, an I/O error) lines are held up to 1 MiB and written once it can be again, newer
 * ones dropped; the error is passed to `onWriteError`, never thrown.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LAKESTREAM_LOG_LEVEL ?? 'info';
  const config = {
    level,
    base: undefined,
    redact: { paths: ['req.headers.authorization', 'headers.authorization'], censor: '[redacted]' },
  };
  const sink = destination({ dest: options.fd ?? 2, sync: true, maxLength: MAX_HELD_BYTES });
  sink.on('error', (error: NodeJS.ErrnoException) => options.onWriteError?.(error));
  if (!(options.pretty ?? process.stderr.isTTY)) return pino(config, sink);
  const format = pretty.prettyFactory({ translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  const readable: DestinationStream = { write: (line: string) => sink.write(format(line)) };
  return pino(config, readable);
}
