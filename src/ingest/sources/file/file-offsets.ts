import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCode, lakeError } from '../../../core/index.js';
import type { FilePosition } from './file-tail.js';

/** What the state file holds: the tailed path and how far the pipeline has acknowledged it. */
interface SavedPosition extends FilePosition {
  readonly path: string;
}

/**
 * The position of a tailed file that the pipeline has acknowledged, kept in a small JSON file:
 * written to `<file>.tmp`, fsynced, renamed over the file, and the folder fsynced, so a crash
 * leaves either the previous position or the new one.
 */
export class FileOffsetStore {
  constructor(
    private readonly file: string,
    private readonly path: string,
  ) {}

  /** The saved position, if one was saved for this path. */
  async read(): Promise<FilePosition | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let saved: Partial<SavedPosition>;
    try {
      saved = JSON.parse(text) as Partial<SavedPosition>;
    } catch (cause) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `file source: ${this.file} is not the JSON position it writes; delete it to read ${this.path} per 'from' again`,
        { cause },
      );
    }
    const { dev, ino, offset } = saved;
    if (saved.path !== this.path || [dev, ino, offset].some((n) => !Number.isSafeInteger(n)))
      return undefined;
    return { dev: dev!, ino: ino!, offset: offset! };
  }

  /** Saves `position` durably (see the class comment). */
  async save(position: FilePosition): Promise<void> {
    const saved: SavedPosition = { path: this.path, ...position };
    const folder = dirname(this.file);
    await mkdir(folder, { recursive: true });
    const temporary = `${this.file}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(saved)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.file);
    const directory = await open(folder, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }
}

/**
 * Pairs the lines sent with the acknowledgements that come back (in the same order, by count) and
 * saves the position past the newest acknowledged line: one save at a time, the newest position
 * after it when more came meanwhile.
 */
export class AcknowledgedPositions {
  private readonly sent: FilePosition[] = [];
  /** Index in `sent` of the oldest line not acknowledged yet (the array is compacted now and then). */
  private head = 0;
  private newest: FilePosition | undefined;
  private saved: FilePosition | undefined;
  private saving: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<FileOffsetStore, 'save'>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Records a line handed to the pipeline. */
  record(position: FilePosition): void {
    this.sent.push(position);
  }

  /** The next `count` lines sent are durable. */
  acknowledged(count: number): void {
    if (count <= 0) return;
    this.head = Math.min(this.sent.length, this.head + count);
    this.newest = this.sent[this.head - 1];
    if (this.head > 4096 && this.head * 2 > this.sent.length) {
      this.sent.splice(0, this.head);
      this.head = 0;
    }
    this.saving ??= this.saveNewest();
  }

  /** The newest acknowledged position once it is saved. */
  async flush(): Promise<FilePosition | undefined> {
    while (this.saving) await this.saving;
    return this.saved;
  }

  private async saveNewest(): Promise<void> {
    try {
      while (this.newest !== undefined && this.newest !== this.saved) {
        const position = this.newest;
        await this.store.save(position);
        this.saved = position;
      }
    } catch (error) {
      this.onError(error);
    } finally {
      this.saving = undefined;
    }
  }
}
