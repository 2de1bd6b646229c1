import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import Type from 'typebox';
import { parseDuration } from '../../../core/index.js';
import type { SourceContext, SourceType } from '../source-type.js';
import { AcknowledgedPositions, FileOffsetStore } from './file-offsets.js';
import type { FilePosition } from './file-tail.js';
import { tailFile } from './file-tail.js';

/** `type: file`: an NDJSON file followed as lines are appended to it. */
export interface FileSourceConfig {
  readonly type: 'file';
  readonly stream: string;
  /** The file, resolved against the project folder. */
  readonly path: string;
  /** On a first start (no saved position): read the file from its start, or only new lines. */
  readonly from: 'start' | 'end';
  /** How often the file is checked for new lines, rotation and truncation. */
  readonly pollMs: number;
}

const schema = Type.Object(
  {
    type: Type.Literal('file'),
    stream: Type.String({ description: 'The declared stream the lines go to.' }),
    path: Type.String({
      minLength: 1,
      problem: 'expected the path of an NDJSON file',
      description: 'The NDJSON file to follow, relative to the project folder; one event per line.',
    }),
    from: Type.Union([Type.Literal('start'), Type.Literal('end')], {
      default: 'start',
      description: 'Where a first run begins; later runs go on from the saved offset.',
    }),
    poll_interval: Type.Optional(
      Type.Unknown({ description: 'How often the file is checked, as a duration; default 250ms.' }),
    ),
  },
  { additionalProperties: false },
);

const DEFAULT_POLL_MS = 250;

/**
 * Tails an NDJSON file: each complete line is one event, whatever it holds (a line that is not
 * JSON reaches bronze and is quarantined by silver under `valid_json`). The position past the last
 * line the pipeline acknowledged is saved under `<data_dir>/sources/`, so a restart goes on from
 * there: nothing acknowledged is read twice, nothing unacknowledged is skipped. After kill -9
 * between the write-ahead log's fsync and the position's save, the lines of the last batch are
 * read again; silver drops them as duplicates when the stream's `key` identifies them.
 */
export const fileSource: SourceType<FileSourceConfig> = {
  type: 'file',
  role: 'ingest',
  schema,
  parse(raw, at, { projectDir, bad }) {
    const entry = raw as { stream: string; path: string; from: 'start' | 'end'; poll_interval?: unknown };
    const pollMs =
      entry.poll_interval === undefined
        ? DEFAULT_POLL_MS
        : parseDuration(entry.poll_interval, `${at}.poll_interval`, bad);
    if (!(pollMs >= 10 && pollMs <= 60_000))
      bad(
        `${at}.poll_interval`,
        `expected a duration from 10ms to 60s; got '${String(entry.poll_interval)}'`,
      );
    return {
      type: 'file',
      stream: entry.stream,
      path: resolve(projectDir, entry.path),
      from: entry.from,
      pollMs,
    };
  },
  async open(source, context) {
    const store = new FileOffsetStore(positionFile(source, context.dataDir), source.path);
    const resume = await store.read();
    const positions = new AcknowledgedPositions(store, (error) =>
      context.log(
        `file ${source.stream}: cannot save the position of ${source.path} (${error instanceof Error ? error.message : String(error)}); a restart may read some lines again`,
      ),
    );
    let acknowledged = 0;
    let notice = resume ? `resumed at byte ${resume.offset}` : `read from its ${source.from}`;
    const report = (): void =>
      context.status('running', `${source.path}: ${acknowledged} lines acknowledged; ${notice}`);
    report();
    if (resume) context.log(`file ${source.stream}: resuming ${source.path} at byte ${resume.offset}`);
    const events = async function* (): AsyncGenerator<string> {
      for await (const line of tailFile(
        {
          path: source.path,
          from: source.from,
          pollMs: source.pollMs,
          ...(resume ? { resume } : {}),
          onNotice: (message) => {
            context.log(`file ${source.stream}: ${message}`);
            notice = message;
            report();
          },
        },
        context.signal,
      )) {
        positions.record(line.end);
        yield line.text;
      }
    };
    const ended = context
      .send(events(), {
        acknowledged: (count) => {
          positions.acknowledged(count);
          acknowledged += count;
          report();
        },
      })
      .then(() => positions.flush())
      .then((saved) => describeEnd(source, context, saved));
    return { ended };
  },
};

/** The state file of a file source: one per stream and path, under `<data_dir>/sources/`. */
export function positionFile(source: Pick<FileSourceConfig, 'stream' | 'path'>, dataDir: string): string {
  const digest = createHash('sha256').update(source.path).digest('hex').slice(0, 12);
  return join(dataDir, 'sources', `file-${source.stream}-${digest}.json`);
}

function describeEnd(
  source: FileSourceConfig,
  context: SourceContext,
  saved: FilePosition | undefined,
): void {
  context.status('stopped', saved ? `acknowledged up to byte ${saved.offset} of ${source.path}` : undefined);
}
