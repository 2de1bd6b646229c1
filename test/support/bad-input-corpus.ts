import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The bad-input corpus (`test/fixtures/bad-input/`): what each case sends and what must come of it.
 * Texts may hold `{{NOW}}` (epoch ms when the case runs) and `{{NOW_ISO}}`; a body or frame can be
 * built from parts, where `{ repeat, times }` stands for a long repetition.
 */

/** Text, or text built from pieces. */
export type TextSpec = string | readonly (string | { readonly repeat: string; readonly times: number })[];

/** Where a case's events must (or must not) be found once the pipeline has caught up. */
export type RowExpectation =
  | {
      /** Exactly `count` (default 1) silver rows match `where`; `values` are then checked on them. */
      readonly in: 'silver';
      readonly stream: string;
      readonly where: Readonly<Record<string, string | number>>;
      readonly count?: number;
      readonly values?: Readonly<Record<string, string | number | null>>;
    }
  | {
      /** A quarantine row of `rule`, with a reason, whose payload contains the text. */
      readonly in: 'quarantine';
      readonly stream: string;
      readonly rule: string;
      readonly payloadContains: string;
    }
  | {
      /** The event never reached bronze (refused or skipped by its source). */
      readonly in: 'skipped';
      readonly stream: string;
      readonly payloadContains: string;
    };

/** Marks an expectation the server does not meet yet: reported, not failed. */
export interface Pending {
  /** Why it is pending: what the server does now instead. */
  readonly pending?: string;
}

/** One HTTP request of the corpus. */
export interface HttpCase extends Pending {
  readonly id: string;
  readonly what: string;
  readonly method: string;
  /** Sent as is (no normalisation of `..`). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: TextSpec;
  readonly bodyBase64?: string;
  readonly expect: {
    readonly status: number;
    readonly code?: string;
    readonly field?: string;
    /** Response headers that must be present with these values. */
    readonly headers?: Readonly<Record<string, string>>;
    readonly rows?: readonly RowExpectation[];
  };
}

/** One row of the replayed CSV file (a record may span lines). */
export interface CsvCase extends Pending {
  readonly id: string;
  readonly what: string;
  /** The raw record(s), without the final line break; or `recordBase64` for bytes that are not UTF-8. */
  readonly record?: TextSpec;
  readonly recordBase64?: string;
  /**
   * What each row the record becomes must give, in order (the replay numbers rows from 1): a silver
   * row (with `values`) or a quarantine row of `rule`. An empty list: the record is no row at all.
   */
  readonly rows: readonly (
    | { readonly outcome: 'silver'; readonly values?: Readonly<Record<string, string | number | null>> }
    | { readonly outcome: 'quarantine'; readonly rule: string }
  )[];
}

/** The CSV corpus: a header and the records after it, replayed into `stream`. */
export interface CsvCorpus {
  readonly stream: string;
  readonly header: string;
  /** Line break between records (`\n` or `\r\n`). */
  readonly newline: string;
  /** Starts the file with a UTF-8 byte-order mark. */
  readonly bom?: boolean;
  readonly cases: readonly CsvCase[];
}

/** Frames a local exchange sends to the Binance source. */
export interface WebSocketCase extends Pending {
  readonly id: string;
  readonly what: string;
  readonly frames: readonly ({ readonly text: TextSpec } | { readonly binaryBase64: string })[];
  readonly expect: readonly RowExpectation[];
}

/** A `lakestream.yaml`: the corpus' base file with edits, or a whole text. */
export interface YamlCase extends Pending {
  readonly id: string;
  readonly what: string;
  readonly yaml?: TextSpec;
  /** `[from, to]` replacements applied to the base file, in order. */
  readonly edit?: readonly (readonly [string, string])[];
  /** Appended to the (edited) base file. */
  readonly append?: TextSpec;
  readonly env?: Readonly<Record<string, string>>;
  readonly expect:
    | { readonly ok: true }
    | {
        readonly code: string;
        /** The key the message must name (`…: <key>: <problem>`). */
        readonly key?: string;
        readonly messageContains?: string;
      };
}

/** The YAML corpus. */
export interface YamlCorpus {
  readonly base: string;
  readonly cases: readonly YamlCase[];
}

/** The whole corpus. */
export interface BadInputCorpus {
  readonly http: readonly HttpCase[];
  readonly csv: readonly CsvCorpus[];
  readonly websocket: readonly WebSocketCase[];
  readonly yaml: YamlCorpus;
}

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'bad-input');

/** Reads every fixture file of the corpus (except the SQL sandbox escapes, tested elsewhere). */
export async function loadCorpus(): Promise<BadInputCorpus> {
  const json = async <T>(name: string): Promise<T> =>
    JSON.parse(await readFile(join(FIXTURES, name), 'utf8')) as T;
  const http = [
    ...(await json<HttpCase[]>('http-json.json')),
    ...(await json<HttpCase[]>('http-ndjson.json')),
    ...(await json<HttpCase[]>('http-market.json')),
  ];
  return {
    http,
    csv: [await json<CsvCorpus>('csv-games.json'), await json<CsvCorpus>('csv-bom-crlf.json')],
    websocket: await json<WebSocketCase[]>('websocket-trades.json'),
    yaml: await json<YamlCorpus>('yaml-config.json'),
  };
}

/** A text spec with its parts joined and `{{NOW}}` / `{{NOW_ISO}}` filled in. */
export function buildText(spec: TextSpec, nowMs: number): string {
  const parts = typeof spec === 'string' ? [spec] : spec;
  return parts
    .map((part) =>
      typeof part === 'string'
        ? part.replaceAll('{{NOW}}', String(nowMs)).replaceAll('{{NOW_ISO}}', new Date(nowMs).toISOString())
        : part.repeat.repeat(part.times),
    )
    .join('');
}

/** The bytes of an HTTP case's body, if it has one. */
export function httpBody(c: HttpCase, nowMs: number): Buffer | undefined {
  if (c.bodyBase64 !== undefined) return Buffer.from(c.bodyBase64, 'base64');
  return c.body === undefined ? undefined : Buffer.from(buildText(c.body, nowMs), 'utf8');
}

/** The YAML text of a case. */
export function yamlText(corpus: YamlCorpus, c: YamlCase): string {
  if (c.yaml !== undefined) return buildText(c.yaml, 0);
  let text = corpus.base;
  for (const [from, to] of c.edit ?? []) {
    if (!text.includes(from)) throw new Error(`${c.id}: the base config has no '${from}' to edit`);
    text = text.replace(from, to);
  }
  return c.append === undefined ? text : `${text}${buildText(c.append, 0)}`;
}

/** Outcome of one case in the report table. */
export type CaseOutcome = 'as expected' | 'pending' | 'failed';

/** Counts outcomes per surface and prints them as a table. */
export class OutcomeTable {
  private readonly counts = new Map<string, Record<CaseOutcome, number>>();
  readonly failures: string[] = [];
  readonly pendings: string[] = [];
  readonly resolved: string[] = [];

  /** Records a case: `problem` is undefined when it behaved as expected. */
  record(surface: string, c: { id: string; pending?: string }, problem: string | undefined): void {
    const row = this.counts.get(surface) ?? { 'as expected': 0, pending: 0, failed: 0 };
    if (problem === undefined) {
      row['as expected']++;
      if (c.pending !== undefined) this.resolved.push(`${c.id}: behaves as expected now; drop "pending"`);
    } else if (c.pending !== undefined) {
      row.pending++;
      this.pendings.push(`${c.id}: ${problem} (pending: ${c.pending})`);
    } else {
      row.failed++;
      this.failures.push(`${c.id}: ${problem}`);
    }
    this.counts.set(surface, row);
  }

  /** The table, one line per surface and a total. */
  format(): string {
    const lines = [
      `${'surface'.padEnd(12)} ${'cases'.padStart(6)} ${'as expected'.padStart(12)} ${'pending'.padStart(8)} ${'failed'.padStart(7)}`,
    ];
    const total = { cases: 0, 'as expected': 0, pending: 0, failed: 0 };
    for (const [surface, row] of this.counts) {
      const cases = row['as expected'] + row.pending + row.failed;
      total.cases += cases;
      total['as expected'] += row['as expected'];
      total.pending += row.pending;
      total.failed += row.failed;
      lines.push(
        `${surface.padEnd(12)} ${String(cases).padStart(6)} ${String(row['as expected']).padStart(12)} ${String(row.pending).padStart(8)} ${String(row.failed).padStart(7)}`,
      );
    }
    lines.push(
      `${'total'.padEnd(12)} ${String(total.cases).padStart(6)} ${String(total['as expected']).padStart(12)} ${String(total.pending).padStart(8)} ${String(total.failed).padStart(7)}`,
    );
    return lines.join('\n');
  }
}
