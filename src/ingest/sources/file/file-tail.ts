import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, stat } from 'node:fs/promises';
import { abortableSleep } from '../../../core/index.js';

/** How far a tailed file was read: which file (device and inode) and a byte offset past a newline. */
export interface FilePosition {
  readonly dev: number;
  readonly ino: number;
  readonly offset: number;
}

/** One complete line of a tailed file. */
export interface TailedLine {
  /** The line as UTF-8 text, without its line break (`\n` or `\r\n`). */
  readonly text: string;
  /** The position just past the line's newline: a restart from there reads the next line. */
  readonly end: FilePosition;
}

/** Options of {@link tailFile}. */
export interface FileTailOptions {
  readonly path: string;
  /**
   * Where a previous run stopped. Used when the file at `path` is still that file and not shorter;
   * otherwise (rotated or truncated since) the file is read from its start.
   */
  readonly resume?: FilePosition;
  /** Without `resume`: read the file from its start, or only what is appended from now on. */
  readonly from: 'start' | 'end';
  /** How often the end of the file is checked for more bytes, rotation and truncation. */
  readonly pollMs: number;
  /** A line longer than this (no newline in sight) is cut here and sent as it is. Default 8 MiB. */
  readonly maxLineBytes?: number;
  /** Bytes read at a time. Default 64 KiB. */
  readonly chunkBytes?: number;
  /** Told what happened to the file: waiting for it, rotated, truncated, a line cut. */
  readonly onNotice?: (message: string) => void;
}

const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Follows a file as lines are appended to it, like `tail -F`: yields every complete non-blank line
 * once, in order (a last line without its newline waits for it). A missing file is waited for
 * and then read from its start. When the file at `path` is
 * replaced (another inode: rotation by rename, or deleted and created again), the old file is read
 * to its end and the new one from its start; when it shrinks (truncated in place), it is read
 * again from its start. Ends when `signal` aborts.
 */
export async function* tailFile(options: FileTailOptions, signal: AbortSignal): AsyncGenerator<TailedLine> {
  const notice = options.onNotice ?? ((): void => undefined);
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const chunk = Buffer.allocUnsafe(options.chunkBytes ?? 64 * 1024);
  let handle: FileHandle | undefined;
  let file = { dev: 0, ino: 0 };
  /** Bytes of the file read so far. */
  let position = 0;
  /** The bytes of a line whose newline has not come yet (copies: `chunk` is reused). */
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let firstOpen = true;
  let waiting = false;

  const line = (bytes: Buffer, end: number): TailedLine => {
    const body = bytes.at(-1) === CARRIAGE_RETURN ? bytes.subarray(0, -1) : bytes;
    return { text: body.toString('utf8'), end: { ...file, offset: end } };
  };
  const takePartial = (): Buffer => {
    const bytes = partial.length === 1 ? partial[0]! : Buffer.concat(partial);
    partial = [];
    partialBytes = 0;
    return bytes;
  };
  /** The complete lines of `bytes` (read at `base`); what follows the last newline waits in `partial`. */
  function* split(bytes: Buffer, base: number): Generator<TailedLine> {
    let start = 0;
    for (let newline = bytes.indexOf(NEWLINE); newline !== -1; newline = bytes.indexOf(NEWLINE, start)) {
      let text = bytes.subarray(start, newline);
      if (partialBytes > 0) {
        partial.push(text);
        text = takePartial();
      }
      start = newline + 1;
      const taken = line(text, base + start);
      if (taken.text.trim() !== '') yield taken;
    }
    if (start < bytes.length) {
      partial.push(Buffer.from(bytes.subarray(start)));
      partialBytes += bytes.length - start;
      if (partialBytes > maxLineBytes) {
        notice(`a line of more than ${maxLineBytes} bytes without a newline was cut there`);
        yield line(takePartial(), base + bytes.length);
      }
    }
  }

  try {
    while (!signal.aborted) {
      if (!handle) {
        const opened = await openIfExists(options.path);
        if (!opened) {
          if (!waiting) notice(`waiting for ${options.path} to exist`);
          waiting = true;
          // all of a file created from now on is new: it is read from its start
          firstOpen = false;
          await abortableSleep(options.pollMs, signal);
          continue;
        }
        waiting = false;
        handle = opened.handle;
        file = { dev: opened.stats.dev, ino: opened.stats.ino };
        position = firstOpen ? startOffset(options, opened.stats, notice) : 0;
        firstOpen = false;
      }
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead > 0) {
        const base = position;
        position += bytesRead;
        yield* split(chunk.subarray(0, bytesRead), base);
        continue;
      }
      const current = await statIfExists(options.path);
      if (!current || current.ino !== file.ino || current.dev !== file.dev) {
        // replaced: this file is read to its end; its last line will get no newline any more
        if (partialBytes > 0) yield line(takePartial(), position);
        await handle.close();
        handle = undefined;
        notice(`${options.path} was replaced (rotated); reading the new file from its start`);
        continue;
      }
      if (current.size < position) {
        notice(
          `${options.path} shrank to ${current.size} bytes (truncated); reading it again from its start`,
        );
        position = 0;
        partial = [];
        partialBytes = 0;
        continue;
      }
      await abortableSleep(options.pollMs, signal);
    }
  } finally {
    await handle?.close();
  }
}

/** Where the first file opened is read from: the saved position if it still applies, else `from`. */
function startOffset(options: FileTailOptions, stats: Stats, notice: (message: string) => void): number {
  const { resume } = options;
  if (resume === undefined) return options.from === 'end' ? stats.size : 0;
  if (resume.dev === stats.dev && resume.ino === stats.ino && resume.offset <= stats.size)
    return resume.offset;
  notice(
    resume.ino !== stats.ino || resume.dev !== stats.dev
      ? `${options.path} is another file than when it was last read (rotated); reading it from its start`
      : `${options.path} is shorter than the ${resume.offset} bytes read before (truncated); reading it from its start`,
  );
  return 0;
}

async function openIfExists(path: string): Promise<{ handle: FileHandle; stats: Stats } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return { handle, stats: await handle.stat() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function statIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
