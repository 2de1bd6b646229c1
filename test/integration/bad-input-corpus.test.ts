import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { loadProjectConfig } from '../../src/app/index.js';
import { isLakestreamError } from '../../src/core/index.js';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import type {
  BadInputCorpus,
  CsvCorpus,
  HttpCase,
  RowExpectation,
  YamlCase,
} from '../support/bad-input-corpus.js';
import { buildText, httpBody, loadCorpus, OutcomeTable, yamlText } from '../support/bad-input-corpus.js';
import { startProject } from '../support/processes.js';

/**
 * Runs every case of the bad-input corpus against the real thing: one `lakestream start` process
 * (HTTP API, Binance source reading a local exchange, CSV replays, bronze, silver) for the HTTP,
 * WebSocket and CSV cases, and `loadProjectConfig` on files for the YAML cases. Then a control batch
 * of good events must be committed to silver exactly once, and the process must still be up.
 */

const TRADE_STREAM = `    columns:
      - { name: symbol, type: string, path: $.s }
      - { name: trade_id, type: long, path: $.t }
      - { name: price, type: double, path: $.p }
      - { name: quantity, type: double, path: $.q }
      - { name: trade_time, type: timestamptz, path: $.T, encoding: epoch_ms }
      - { name: buyer_is_maker, type: boolean, path: $.m }
    key: [symbol, trade_id]
    event_time: trade_time
    watermark: 1h
    late_events: quarantine
    expectations:
      - { name: symbol_present, kind: not_null, column: symbol, action: quarantine }
      - { name: price_positive, kind: range, column: price, min: 0, exclusive_min: true, action: quarantine }
      - { name: quantity_positive, kind: range, column: quantity, min: 0, exclusive_min: true, action: quarantine }
      - { name: trade_time_present, kind: not_null, column: trade_time, action: quarantine }
`;

const GAMES_STREAM = `    columns:
      - { name: row, type: long }
      - { name: rank, type: long, path: $.Rank }
      - { name: name, type: string, path: $.Name }
      - { name: platform, type: string, path: $.Platform }
      - { name: year, type: int, path: $.Year }
      - { name: genre, type: string, path: $.Genre }
      - { name: publisher, type: string, path: $.Publisher }
      - { name: na_sales, type: double, path: $.NA_Sales }
      - { name: eu_sales, type: double, path: $.EU_Sales }
      - { name: jp_sales, type: double, path: $.JP_Sales }
      - { name: other_sales, type: double, path: $.Other_Sales }
      - { name: global_sales, type: double, path: $.Global_Sales }
      - { name: event_time, type: timestamptz }
    key: [row]
    event_time: event_time
    watermark: 1d
    late_events: quarantine
    expectations:
      - { name: name_present, kind: not_null, column: name, action: quarantine }
      - { name: sales_not_negative, kind: range, column: global_sales, min: 0, action: quarantine }
`;

/** The project: the markets example's trade and market streams, its trades again from a WebSocket, and the games stream twice. */
function projectYaml(exchangeUrl: string, csv: readonly CsvCorpus[]): string {
  return `name: bad-input
data_dir: ./data
commit_interval_ms: 100
server: { port: 0 }
streams:
  trades:
${TRADE_STREAM}  ws_trades:
${TRADE_STREAM}  market_data:
    columns:
      - { name: symbol, type: string }
      - { name: price, type: double }
      - { name: quantity, type: double }
      - { name: timestamp, type: timestamptz }
    key: [symbol, timestamp]
    event_time: timestamp
    watermark: 1h
    expectations:
      - { name: price_positive, kind: range, column: price, min: 0, exclusive_min: true, action: quarantine }
${csv.map((c) => `  ${c.stream}:\n${GAMES_STREAM}`).join('')}sources:
  - { type: binance, stream: ws_trades, url: ${JSON.stringify(exchangeUrl)}, symbols: [BTCUSDT], fallback_to_simulator: false }
${csv.map((c) => `  - { type: replay, stream: ${c.stream}, file: ./${c.stream}.csv, rate: 5000, batch: 100 }\n`).join('')}`;
}

/** The CSV file of a corpus: its header and every case's record. */
function csvFile(corpus: CsvCorpus): Buffer {
  const parts: Buffer[] = [];
  if (corpus.bom) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
  parts.push(Buffer.from(corpus.header + corpus.newline));
  for (const c of corpus.cases) {
    const record =
      c.recordBase64 !== undefined
        ? Buffer.from(c.recordBase64, 'base64')
        : Buffer.from(buildText(c.record ?? '', 0));
    parts.push(record, Buffer.from(corpus.newline));
  }
  return Buffer.concat(parts);
}

interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * A request whose body is over the server's limit, on a bare socket: the server answers 413 and
 * closes while the body is still being written, which an HTTP client reports as a broken pipe
 * before it reads the answer. Here the answer is read whatever happens to the writes.
 */
function sendOversized(
  port: number,
  path: string,
  headers: Readonly<Record<string, string>>,
  body: Buffer,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined); // EPIPE / ECONNRESET once the server has answered
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString();
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!match) return reject(new Error(`no HTTP answer to the oversized body: ${text.slice(0, 200)}`));
      const split = text.indexOf('\r\n\r\n');
      const headerLines = text.slice(0, split).split('\r\n').slice(1);
      resolve({
        status: Number(match[1]),
        headers: Object.fromEntries(
          headerLines.map((line) => [
            line.slice(0, line.indexOf(':')).toLowerCase(),
            line.slice(line.indexOf(':') + 1).trim(),
          ]),
        ),
        body: text.slice(split + 4),
      });
    });
    const head = [
      `POST ${path} HTTP/1.1`,
      'host: 127.0.0.1',
      'connection: close',
      `content-length: ${body.length}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
    socket.end(body);
  });
}

/** One raw HTTP request (the path is sent as written, `..` included). */
function send(
  port: number,
  method: string,
  path: string,
  headers: Readonly<Record<string, string>>,
  body: Buffer | undefined,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    // The server may answer (413) and close before a large body is written: write it in pieces,
    // stop once the answer has come, and take a broken pipe after the answer as expected.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    void (async () => {
      const piece = 256 * 1024;
      for (let at = 0; body && at < body.length && !answered && !req.destroyed; at += piece) {
        if (!req.write(body.subarray(at, at + piece)))
          await new Promise((drained) => {
            req.once('drain', drained);
            req.once('close', drained);
          });
      }
      if (!req.destroyed) req.end();
    })();
  });
}

function post(port: number, path: string, contentType: string, body: string): Promise<HttpAnswer> {
  return send(port, 'POST', path, { 'content-type': contentType }, Buffer.from(body));
}

/** What is wrong with an answer, or undefined. */
function checkAnswer(c: HttpCase, answer: HttpAnswer): string | undefined {
  const { expect: want } = c;
  let error: { code?: string; field?: string } | undefined;
  try {
    error = (JSON.parse(answer.body) as { error?: { code?: string; field?: string } }).error;
  } catch {
    error = undefined;
  }
  const got = `${answer.status} ${error?.code ?? '(no code)'}${error?.field === undefined ? '' : ` field ${error.field}`}`;
  if (answer.status !== want.status) return `answered ${got}; expected ${want.status} ${want.code ?? ''}`;
  if (want.code !== undefined && error?.code !== want.code)
    return `answered ${got}; expected code ${want.code}`;
  if (want.field !== undefined && error?.field !== want.field)
    return `answered ${got}; expected field ${want.field}`;
  for (const [name, value] of Object.entries(want.headers ?? {}))
    if (answer.headers[name.toLowerCase()] !== value)
      return `header ${name} is ${String(answer.headers[name.toLowerCase()])}, expected ${value}`;
  return undefined;
}

type Row = Record<string, string | null>;

/** The tables the cases are checked against, read once the pipeline has caught up. */
interface LakeState {
  readonly silver: ReadonlyMap<string, readonly Row[]>;
  readonly quarantine: ReadonlyMap<string, readonly Row[]>;
  readonly bronze: ReadonlyMap<string, readonly string[]>;
}

function checkRow(state: LakeState, want: RowExpectation): string | undefined {
  if (want.in === 'silver') {
    const rows = (state.silver.get(want.stream) ?? []).filter((row) =>
      Object.entries(want.where).every(([column, value]) => same(row[column] ?? null, value)),
    );
    const count = want.count ?? 1;
    if (rows.length !== count)
      return `silver.${want.stream} has ${rows.length} row(s) where ${JSON.stringify(want.where)}, expected ${count}`;
    for (const [column, value] of Object.entries(want.values ?? {})) {
      const actual = rows[0]?.[column] ?? null;
      if (!same(actual, value))
        return `silver.${want.stream} ${JSON.stringify(want.where)}: ${column} is ${JSON.stringify(actual?.slice(0, 80))}, expected ${JSON.stringify(value)}`;
    }
    return undefined;
  }
  if (want.in === 'quarantine') {
    const rows = (state.quarantine.get(want.stream) ?? []).filter((row) =>
      (row.payload ?? '').includes(want.payloadContains),
    );
    if (rows.length === 0) {
      const inSilver = (state.bronze.get(want.stream) ?? []).some((p) => p.includes(want.payloadContains));
      return `no quarantine.${want.stream} row with ${want.payloadContains} (expected rule ${want.rule}; ${inSilver ? 'it is in bronze' : 'not even in bronze'})`;
    }
    if (!rows.some((row) => row.rule === want.rule))
      return `quarantine.${want.stream} rule is ${rows.map((r) => r.rule).join(', ')}, expected ${want.rule}`;
    if (!rows.every((row) => (row.reason ?? '') !== '')) return `quarantine.${want.stream} row has no reason`;
    return undefined;
  }
  const stored = (state.bronze.get(want.stream) ?? []).filter((p) => p.includes(want.payloadContains)).length;
  return stored === 0
    ? undefined
    : `${stored} bronze row(s) of ${want.stream} hold ${want.payloadContains}, expected none`;
}

/** Bronze payloads per stream. */
async function bronzePayloads(engine: LakeEngine): Promise<Map<string, string[]>> {
  const byStream = new Map<string, string[]>();
  for (const row of (await engine.query('SELECT stream, payload FROM bronze.events')).rows) {
    const payloads = byStream.get(String(row.stream)) ?? [];
    payloads.push(String(row.payload));
    byStream.set(String(row.stream), payloads);
  }
  return byStream;
}

/** A table value (as text) against a fixture value: numbers compare as numbers. */
function same(actual: string | null, expected: string | number | null): boolean {
  if (expected === null || actual === null) return actual === expected;
  return typeof expected === 'number' ? Number(actual) === expected : actual === expected;
}

/** Runs a YAML case: undefined when the loader did what the case expects. */
async function yamlProblem(dir: string, corpus: BadInputCorpus, c: YamlCase): Promise<string | undefined> {
  const file = join(dir, `${c.id}.yaml`);
  await writeFile(file, yamlText(corpus.yaml, c));
  const started = Date.now();
  let outcome: { error: unknown } | { ok: true };
  try {
    const timeout = sleep(5000).then(() => {
      throw new Error('loadProjectConfig did not answer within 5 s');
    });
    await Promise.race([loadProjectConfig(file, { ...c.env }), timeout]);
    outcome = { ok: true };
  } catch (error) {
    outcome = { error };
  }
  const ms = Date.now() - started;
  const want = c.expect;
  if ('ok' in want)
    return 'ok' in outcome ? undefined : `refused: ${String((outcome.error as Error).message)}`;
  if ('ok' in outcome) return `accepted; expected ${want.code}${want.key ? ` naming ${want.key}` : ''}`;
  const { error } = outcome;
  if (!isLakestreamError(error)) return `threw a non-lakestream error after ${ms} ms: ${String(error)}`;
  if (error.code !== want.code) return `code ${error.code} (${error.message}); expected ${want.code}`;
  if (want.key !== undefined && !error.message.includes(`: ${want.key}: `))
    return `message does not name ${want.key}: ${error.message.slice(0, 300)}`;
  if (want.messageContains !== undefined && !error.message.includes(want.messageContains))
    return `message lacks '${want.messageContains}': ${error.message.slice(0, 300)}`;
  return undefined;
}

/** A local exchange in Binance's combined-stream format; the test decides what it sends. */
async function startExchange(): Promise<{
  server: WebSocketServer;
  url: string;
  socket: Promise<WebSocket>;
}> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: 64 * 1024 * 1024 });
  const socket = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, socket };
}

function trade(symbol: string, id: number, nowMs: number): string {
  return JSON.stringify({
    e: 'trade',
    E: nowMs,
    s: symbol,
    t: id,
    p: '100.5',
    q: '2',
    T: nowMs,
    m: false,
    M: true,
  });
}

const CONTROL_TRADES = 1000;
const CONTROL_MARKET = 20;
const CONTROL_WS = 50;

describe('bad-input corpus', () => {
  let dir: string;
  let corpus: BadInputCorpus;
  const table = new OutcomeTable();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-bad-input-'));
    corpus = await loadCorpus();
  });
  afterAll(async () => {
    process.stdout.write(`\nbad-input corpus\n${table.format()}\n`);
    for (const line of table.pendings) process.stdout.write(`  pending ${line}\n`);
    for (const line of table.resolved) process.stdout.write(`  resolved ${line}\n`);
    for (const line of table.failures) process.stdout.write(`  FAILED ${line}\n`);
    await rm(dir, { recursive: true, force: true });
  });

  it('has at least 200 cases with unique ids', () => {
    const ids = [
      ...corpus.http.map((c) => c.id),
      ...corpus.csv.flatMap((c) => c.cases.map((x) => x.id)),
      ...corpus.websocket.map((c) => c.id),
      ...corpus.yaml.cases.map((c) => c.id),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(200);
  });

  it('refuses every bad YAML config with LS_INVALID_ARGUMENT naming the key, without a crash or a hang', async () => {
    const yamlDir = join(dir, 'yaml');
    await import('node:fs/promises').then((fs) => fs.mkdir(yamlDir));
    const failed: string[] = [];
    for (const c of corpus.yaml.cases) {
      const problem = await yamlProblem(yamlDir, corpus, c);
      table.record('yaml', c, problem);
      if (problem !== undefined && c.pending === undefined) failed.push(`${c.id}: ${problem}`);
    }
    expect(failed).toEqual([]);
  }, 30_000);

  it('answers every HTTP, NDJSON, CSV and WebSocket case as documented, stays up and loses no good event', async () => {
    const exchange = await startExchange();
    const project = join(dir, 'project');
    await import('node:fs/promises').then((fs) => fs.mkdir(project));
    await writeFile(join(project, 'lakestream.yaml'), projectYaml(exchange.url, corpus.csv));
    for (const c of corpus.csv) await writeFile(join(project, `${c.stream}.csv`), csvFile(c));
    const { child, exited, log } = await startProject(project);
    const port = Number(/API on http:\/\/127\.0\.0\.1:(\d+)/.exec(log())![1]);
    const engine = new LakeEngine(
      new FilesystemCatalog(new LocalObjectStore(join(project, 'data', 'warehouse'))),
      await DuckSession.open(),
    );
    const count = async (sql: string): Promise<number> => {
      try {
        return Number((await engine.query(sql)).rows[0]!.n);
      } catch {
        return 0; // the table is not created yet
      }
    };
    const waitFor = async (what: string, done: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      while (!(await done())) {
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting for ${what}\n${log()
              .split('\n')
              .filter((l) => !l.includes('"level":50'))
              .join('\n')
              .slice(-3000)}`,
          );
        if (child.exitCode !== null)
          throw new Error(`the pipeline exited while waiting for ${what}\n${log()}`);
        await sleep(100);
      }
    };
    try {
      // Seed each stream, so that silver has a max event time and late events are late.
      const socket = await exchange.socket;
      const seedAt = Date.now();
      socket.send(trade('WSEED', 1, seedAt));
      expect(
        (await post(port, '/v1/streams/trades/events', 'application/json', trade('SEED', 1, seedAt))).status,
      ).toBe(202);
      expect(
        (
          await post(
            port,
            '/api/v1/ingest',
            'application/json',
            JSON.stringify({ symbol: 'SEED', price: 1, timestamp: seedAt }),
          )
        ).status,
      ).toBe(202);
      await waitFor(
        'the seed events in silver',
        async () =>
          (await count("SELECT count(*) AS n FROM silver.trades WHERE symbol = 'SEED'")) === 1 &&
          (await count("SELECT count(*) AS n FROM silver.ws_trades WHERE symbol = 'WSEED'")) === 1 &&
          (await count("SELECT count(*) AS n FROM silver.market_data WHERE symbol = 'SEED'")) === 1,
        20_000,
      );

      // HTTP cases, one after the other (some depend on an earlier one's Idempotency-Key).
      const answerProblems = new Map<string, string>();
      for (const c of corpus.http) {
        let problem: string | undefined;
        try {
          const body = httpBody(c, Date.now());
          const answer =
            body && body.length > 16 * 1024 * 1024
              ? await sendOversized(port, c.path, c.headers ?? {}, body)
              : await send(port, c.method, c.path, c.headers ?? {}, body);
          problem = checkAnswer(c, answer);
        } catch (error) {
          problem = `request failed: ${(error as Error).message}`;
        }
        if (problem !== undefined) answerProblems.set(c.id, problem);
      }

      // WebSocket cases, then good trades after them.
      for (const c of corpus.websocket) {
        for (const frame of c.frames) {
          if ('binaryBase64' in frame)
            socket.send(Buffer.from(frame.binaryBase64, 'base64'), { binary: true });
          else socket.send(buildText(frame.text, Date.now()));
        }
      }
      for (let i = 1; i <= CONTROL_WS; i++) socket.send(trade('WCTRL', i, Date.now()));
      // The runtime's source pump flushes a batch only when the next event comes (as on a busy
      // exchange); keep a trickle of trades going so the tail of the burst is written.
      let tick = 0;
      const ticker = setInterval(() => socket.send(trade('WTICK', ++tick, Date.now())), 100);

      // The control batch: good events over both routes, after every bad one.
      let acked = 0;
      for (let part = 0; part < 4; part++) {
        const lines = Array.from({ length: CONTROL_TRADES / 4 }, (_, i) =>
          trade('CTRL', part * (CONTROL_TRADES / 4) + i + 1, Date.now()),
        );
        const answer = await post(
          port,
          '/v1/streams/trades/events',
          'application/x-ndjson',
          lines.join('\n'),
        );
        expect(answer.status, answer.body).toBe(202);
        acked += (JSON.parse(answer.body) as { accepted: number }).accepted;
      }
      for (let i = 0; i < CONTROL_MARKET; i++) {
        const body = JSON.stringify({
          symbol: 'CTRL',
          price: 10 + i,
          quantity: 1,
          timestamp: Date.now() + i,
        });
        const answer = await post(port, '/api/v1/ingest', 'application/json', body);
        expect(answer.status, answer.body).toBe(202);
      }
      expect(acked).toBe(CONTROL_TRADES);

      const csvRows = (c: CsvCorpus): number => c.cases.reduce((n, x) => n + x.rows.length, 0);
      let progress = '';
      const caughtUp = async (): Promise<boolean> => {
        const seen = [
          await count("SELECT count(*) AS n FROM silver.trades WHERE symbol = 'CTRL'"),
          await count("SELECT count(*) AS n FROM silver.market_data WHERE symbol = 'CTRL'"),
          await count("SELECT count(*) AS n FROM silver.ws_trades WHERE symbol = 'WCTRL'"),
          ...(await Promise.all(
            corpus.csv.map(
              async (c) =>
                (await count(`SELECT count(*) AS n FROM silver.${c.stream}`)) +
                (await count(`SELECT count(DISTINCT wal_seq) AS n FROM quarantine.${c.stream}`)),
            ),
          )),
        ];
        const wanted = [CONTROL_TRADES, CONTROL_MARKET, CONTROL_WS, ...corpus.csv.map(csvRows)];
        progress = `seen ${seen.join('/')} of ${wanted.join('/')}`;
        return seen.every((n, i) => n >= wanted[i]!);
      };
      await waitFor('the control events and the replays in silver', caughtUp, 45_000)
        .catch((error: Error) => {
          throw new Error(`${progress}: ${error.message}`);
        })
        .finally(() => clearInterval(ticker));

      // Everything is committed: read the tables once and check every case against them.
      const streams = ['trades', 'ws_trades', 'market_data', ...corpus.csv.map((c) => c.stream)];
      const rowsOf = async (sql: string): Promise<Row[]> =>
        (await engine.query(sql)).rows.map((row) =>
          Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)])),
        );
      const state: LakeState = {
        silver: new Map(
          await Promise.all(
            streams.map(
              async (s) => [s, await rowsOf(`SELECT COLUMNS(*)::VARCHAR FROM silver.${s}`)] as const,
            ),
          ),
        ),
        quarantine: new Map(
          await Promise.all(
            streams.map(
              async (s) => [s, await rowsOf(`SELECT payload, rule, reason FROM quarantine.${s}`)] as const,
            ),
          ),
        ),
        bronze: await bronzePayloads(engine),
      };

      for (const c of corpus.http) {
        const problems = [
          answerProblems.get(c.id),
          ...(c.expect.rows ?? []).map((want) => checkRow(state, want)),
        ];
        table.record(
          c.id.replace(/-\d+$/, ''),
          c,
          problems.find((p) => p !== undefined),
        );
      }
      for (const c of corpus.websocket) {
        const problem = c.expect.map((want) => checkRow(state, want)).find((p) => p !== undefined);
        table.record('websocket', c, problem);
      }
      for (const csv of corpus.csv) {
        let row = 0;
        for (const c of csv.cases) {
          const problems = c.rows.map((want) => {
            row++;
            return want.outcome === 'silver'
              ? checkRow(state, {
                  in: 'silver',
                  stream: csv.stream,
                  where: { row },
                  ...(want.values ? { values: want.values } : {}),
                })
              : checkRow(state, {
                  in: 'quarantine',
                  stream: csv.stream,
                  rule: want.rule,
                  payloadContains: `"row":${row},`,
                });
          });
          table.record(
            'csv',
            c,
            problems.find((p) => p !== undefined),
          );
        }
      }

      // Nothing lost, nothing doubled: every acknowledged good event is in silver exactly once.
      const once = async (sql: string): Promise<number> => count(sql);
      expect(
        await once(
          "SELECT count(*) AS n FROM (SELECT trade_id FROM silver.trades WHERE symbol = 'CTRL' GROUP BY 1 HAVING count(*) = 1)",
        ),
      ).toBe(CONTROL_TRADES);
      expect(await once("SELECT count(*) AS n FROM silver.trades WHERE symbol = 'CTRL'")).toBe(
        CONTROL_TRADES,
      );
      expect(await once("SELECT count(*) AS n FROM silver.market_data WHERE symbol = 'CTRL'")).toBe(
        CONTROL_MARKET,
      );
      expect(
        await once(
          "SELECT count(DISTINCT trade_id) AS n FROM silver.ws_trades WHERE symbol = 'WCTRL' AND trade_id BETWEEN 1 AND 50",
        ),
      ).toBe(CONTROL_WS);
      expect(await once("SELECT count(*) AS n FROM silver.ws_trades WHERE symbol = 'WCTRL'")).toBe(
        CONTROL_WS,
      );

      const health = await send(port, 'GET', '/healthz', {}, undefined);
      expect(health.status).toBe(200);
      expect(child.exitCode).toBeNull();
      expect(table.failures).toEqual([]);
    } finally {
      await engine.close();
      exchange.server.close();
      if (child.exitCode === null) child.kill('SIGTERM');
      const { code } = await exited;
      expect(code, log().slice(-3000)).toBe(0);
    }
  }, 110_000);
});
