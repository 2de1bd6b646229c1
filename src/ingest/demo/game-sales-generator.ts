import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, lakeError } from '../../core/index.js';
import type { LakestreamError } from '../../core/index.js';
import type { Weighted } from '../seeded-random.js';
import { normalQuantile, SeededRandom } from '../seeded-random.js';
import {
  GENRES,
  MAJOR_PUBLISHERS,
  PLATFORMS,
  SMALL_PUBLISHER_SUFFIXES,
  SMALL_PUBLISHER_WORDS,
  SPORTS,
  TITLE_ADJECTIVES,
  TITLE_NOUNS,
  TITLE_SUBTITLES,
} from './game-sales-vocabulary.js';

/** Columns of the video-game sales dataset, in file order. */
export const VGSALES_COLUMNS = [
  'Rank',
  'Name',
  'Platform',
  'Year',
  'Genre',
  'Publisher',
  'NA_Sales',
  'EU_Sales',
  'JP_Sales',
  'Other_Sales',
  'Global_Sales',
] as const;

/** The header line of the dataset (without the line break). */
export const VGSALES_HEADER: string = VGSALES_COLUMNS.join(',');

/** Options of the synthetic video-game sales generator. */
export interface VgsalesGeneratorOptions {
  /** Number of data rows (titles); 0 gives a header-only file. */
  readonly rows: number;
  /** Seed of the pseudo-random sequence, an unsigned 32-bit integer. Same seed, same rows. Default 42. */
  readonly seed?: number;
  /**
   * Share of rows whose Year is `N/A`, as in the original Kaggle release. Default 0, like the
   * cleaned copy the project ships; any other value makes CSV readers type Year as text.
   */
  readonly missingYearShare?: number;
}

const defaults = Object.freeze({ seed: 42, missingYearShare: 0 });

/** One synthetic title. Sales are in millions of units with at most two decimals. */
export interface VgsalesRecord {
  /** 1-based position by descending global sales. */
  readonly rank: number;
  readonly name: string;
  readonly platform: string;
  /** Release year, or undefined where the dataset says `N/A`. */
  readonly year: number | undefined;
  readonly genre: string;
  readonly publisher: string;
  readonly naSales: number;
  readonly euSales: number;
  readonly jpSales: number;
  readonly otherSales: number;
  /** Exactly the sum of the four regions, rounded to two decimals. */
  readonly globalSales: number;
}

/** What {@link writeVgsalesCsv} wrote. */
export interface VgsalesFileSummary {
  /** Absolute path of the file. */
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
  readonly seed: number;
}

// Global sales follow a log-normal law: median 0.17 million, about a third of titles below 0.10.
const LOG_MEDIAN_SALES = Math.log(0.17);
const LOG_SALES_SPREAD = 1.38;

/** Regional shares (NA, EU, JP, other) of a title's sales, before per-title jitter. */
const MARKET_PROFILES: readonly Weighted<readonly [number, number, number, number]>[] = [
  { value: [0.56, 0.31, 0.01, 0.12], weight: 55 },
  { value: [0.44, 0.31, 0.13, 0.12], weight: 25 },
  { value: [0.05, 0.03, 0.9, 0.02], weight: 20 },
];

const CHUNK_CHARS = 256 * 1024;

/**
 * Generates synthetic titles in the shape of the well-known video-game sales dataset, best seller
 * first. Global sales are drawn as descending order statistics, so rows stream out already sorted
 * in constant memory, however many are asked for; each title's platform, genre and publisher are
 * then drawn with weights tilted by its sales, so they carry signal a model can learn. Names are
 * invented; nothing is copied.
 */
export function* generateVgsalesRecords(options: VgsalesGeneratorOptions): Generator<VgsalesRecord> {
  const { rows, seed, missingYearShare } = resolveOptions(options);
  const random = new SeededRandom(seed);
  // Log of the uniform order statistic of the current rank: the largest of n uniforms is V^(1/n),
  // and each next one below is the previous times V^(1/k) for the k that remain.
  let logQuantile = 0;
  let previousCents = Number.POSITIVE_INFINITY;
  for (let index = 0; index < rows; index++) {
    logQuantile += Math.log(random.nextOpen()) / (rows - index);
    const z = salesZ(logQuantile);
    const globalCents = Math.min(previousCents, salesCentsAt(z));
    previousCents = globalCents;
    const [naCents, euCents, jpCents, otherCents] = splitByRegion(globalCents, random);
    const platform = random.weighted(tilted(PLATFORMS, z, PLATFORM_EFFECT, (p) => p.code));
    const releaseYear = random.integer(platform.firstYear, platform.lastYear);
    const year = random.chance(missingYearShare) ? undefined : releaseYear;
    const genre = random.weighted(tilted(GENRES, z, GENRE_EFFECT, (g) => g));
    yield {
      rank: index + 1,
      name: inventTitle(random, genre, releaseYear),
      platform: platform.code,
      year,
      genre,
      publisher: pickPublisher(random, z),
      naSales: naCents / 100,
      euSales: euCents / 100,
      jpSales: jpCents / 100,
      otherSales: otherCents / 100,
      globalSales: globalCents / 100,
    };
  }
}

/** One CSV line (RFC 4180 quoting, no line break) of a record, formatted like the dataset. */
export function formatVgsalesCsvLine(record: VgsalesRecord): string {
  return [
    String(record.rank),
    csvField(record.name),
    csvField(record.platform),
    record.year === undefined ? 'N/A' : String(record.year),
    csvField(record.genre),
    csvField(record.publisher),
    formatSales(record.naSales),
    formatSales(record.euSales),
    formatSales(record.jpSales),
    formatSales(record.otherSales),
    formatSales(record.globalSales),
  ].join(',');
}

/** The whole CSV text (header and `\n`-terminated lines). For large row counts use {@link writeVgsalesCsv}. */
export function generateVgsalesCsv(options: VgsalesGeneratorOptions): string {
  return [...csvChunks(options)].join('');
}

/**
 * Writes the CSV to `path` (creating its directory), streaming so that memory stays flat for any
 * row count. The text goes to a temp file renamed over `path` at the end, so `path` never holds a
 * truncated file; on failure or abort the temp file is removed.
 */
export async function writeVgsalesCsv(
  path: string,
  options: VgsalesGeneratorOptions,
  control: { readonly signal?: AbortSignal } = {},
): Promise<VgsalesFileSummary> {
  const settings = resolveOptions(options);
  const absolutePath = resolve(path);
  const partialPath = `${absolutePath}.${process.pid}.partial`;
  let bytes = 0;
  const counted = function* (): Generator<string> {
    for (const chunk of csvChunks(settings)) {
      bytes += Buffer.byteLength(chunk);
      yield chunk;
    }
  };
  try {
    await mkdir(dirname(absolutePath), { recursive: true });
    await pipeline(Readable.from(counted()), createWriteStream(partialPath), {
      ...(control.signal ? { signal: control.signal } : {}),
    });
    await rename(partialPath, absolutePath);
  } catch (cause) {
    await rm(partialPath, { force: true }).catch(() => undefined);
    if (control.signal?.aborted) throw cause;
    throw lakeError(
      ErrorCode.IO_ERROR,
      `ingest: could not write the synthetic CSV to ${absolutePath}; check the directory exists or can be created, permissions and free space`,
      { cause, userError: false },
    );
  }
  return { path: absolutePath, rows: settings.rows, bytes, seed: settings.seed };
}

/** The CSV text in chunks of roughly {@link CHUNK_CHARS} characters. */
function* csvChunks(options: VgsalesGeneratorOptions): Generator<string> {
  let buffer = `${VGSALES_HEADER}\n`;
  for (const record of generateVgsalesRecords(options)) {
    buffer += `${formatVgsalesCsvLine(record)}\n`;
    if (buffer.length >= CHUNK_CHARS) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer !== '') yield buffer;
}

function resolveOptions(options: VgsalesGeneratorOptions): Required<VgsalesGeneratorOptions> {
  const settings = {
    rows: options.rows,
    seed: options.seed ?? defaults.seed,
    missingYearShare: options.missingYearShare ?? defaults.missingYearShare,
  };
  if (!Number.isSafeInteger(settings.rows) || settings.rows < 0) {
    throw invalidOption(`rows must be a whole number of at least 0, got ${settings.rows}`);
  }
  if (!Number.isInteger(settings.seed) || settings.seed < 0 || settings.seed > 0xffffffff) {
    throw invalidOption(`seed must be an integer from 0 to 4294967295, got ${settings.seed}`);
  }
  const share = settings.missingYearShare;
  if (!(share >= 0 && share <= 1)) {
    throw invalidOption(`missingYearShare must be between 0 and 1, got ${share}`);
  }
  return Object.freeze(settings);
}

function invalidOption(detail: string): LakestreamError {
  return lakeError(ErrorCode.INVALID_ARGUMENT, `ingest: invalid vgsales generator option: ${detail}`);
}

/** How far a title's log sales lie from the median, in spreads, at a given log-quantile. */
function salesZ(logQuantile: number): number {
  return normalQuantile(Math.exp(logQuantile), -Math.expm1(logQuantile));
}

/** Global sales in cents of a title `z` spreads from the median; at least one cent, like the dataset. */
function salesCentsAt(z: number): number {
  return Math.max(1, Math.round(Math.exp(LOG_MEDIAN_SALES + LOG_SALES_SPREAD * z) * 100));
}

/**
 * How strongly a title's platform, genre and publisher go with its sales (per spread of log
 * sales): as in the real dataset, some platforms, genres and publishers sell better than others,
 * so a model can learn sales from them. Each name's own effect is fixed by its name.
 */
const PLATFORM_EFFECT = 2;
const GENRE_EFFECT = 1.2;
const PUBLISHER_EFFECT = 2;

/**
 * The weights of `items` for a title `z` spreads from the median: each weight times
 * e^(strength · effect · z), with the item's effect in [-1, 1] drawn from its name.
 */
function tilted<T>(
  items: readonly Weighted<T>[],
  z: number,
  strength: number,
  nameOf: (value: T) => string,
): Weighted<T>[] {
  return items.map((item) => ({
    value: item.value,
    weight: item.weight * Math.exp(strength * effectOf(nameOf(item.value)) * z),
  }));
}

/** A stable value in [-1, 1] for a name (FNV-1a). */
function effectOf(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return ((hash >>> 0) / 0xffffffff) * 2 - 1;
}

/** Splits whole cents over the four regions (largest remainder), so they sum exactly. */
function splitByRegion(totalCents: number, random: SeededRandom): [number, number, number, number] {
  const profile = random.weighted(MARKET_PROFILES);
  const shares = profile.map((share) => share * (0.5 + random.next()));
  const shareSum = shares.reduce((sum, share) => sum + share, 0);
  const exact = shares.map((share) => (totalCents * share) / shareSum);
  const cents = exact.map(Math.floor) as [number, number, number, number];
  let left = totalCents - cents.reduce((sum, value) => sum + value, 0);
  const byRemainder = [0, 1, 2, 3].sort((a, b) => exact[b]! - cents[b]! - (exact[a]! - cents[a]!) || a - b);
  for (const region of byRemainder) {
    if (left === 0) break;
    cents[region]++;
    left--;
  }
  return cents;
}

function inventTitle(random: SeededRandom, genre: string, year: number): string {
  const nouns = TITLE_NOUNS[genre] ?? TITLE_NOUNS.Action!;
  if (genre === 'Sports' && random.chance(0.5)) {
    const brand = random.pick(['Pro', 'Total', 'World', 'Ultimate', 'Real']);
    return `${brand} ${random.pick(SPORTS)} ${random.pick(nouns)} ${year + 1}`;
  }
  const base = `${random.pick(TITLE_ADJECTIVES)} ${random.pick(nouns)}`;
  const style = random.next();
  if (style < 0.3) return `${base} ${random.integer(2, 5)}`;
  if (style < 0.5) return `${base}: ${random.pick(TITLE_SUBTITLES)}`;
  return base;
}

/** A major publisher (more likely the better a title sells, some more than others) or a small one. */
function pickPublisher(random: SeededRandom, z: number): string {
  const majorOdds = 3 * Math.exp(PUBLISHER_EFFECT * z);
  if (random.chance(majorOdds / (1 + majorOdds)))
    return random.weighted(tilted(MAJOR_PUBLISHERS, z, PUBLISHER_EFFECT, (p) => p));
  return `${random.pick(SMALL_PUBLISHER_WORDS)} ${random.pick(SMALL_PUBLISHER_SUFFIXES)}`;
}

/** Sales like the dataset prints them: shortest form, at least one decimal (`0.0`, `33.0`, `0.09`). */
function formatSales(millions: number): string {
  return Number.isInteger(millions) ? millions.toFixed(1) : String(millions);
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
