import { fileURLToPath } from 'node:url';
import { ErrorCode, lakeError } from '../../core/index.js';
import type { ObjectStore } from '../../storage/index.js';
import { LocalObjectStore } from '../../storage/index.js';

/** Maps URIs recorded in a table's metadata (e.g. `s3a://bucket/t`) to where the files are now. */
export interface PathRewrite {
  readonly from: string;
  readonly to: string;
}

const REWRITE_PROPERTY = /^lakestream\.path-rewrite\.(\d+)\.(from|to)$/;

/** The path rewrites a table declares in its properties (`lakestream.path-rewrite.<n>.from|to`). */
export function rewritesFromProperties(properties: Readonly<Record<string, string>>): PathRewrite[] {
  const byIndex = new Map<string, { from?: string; to?: string }>();
  for (const [key, value] of Object.entries(properties)) {
    const match = REWRITE_PROPERTY.exec(key);
    if (!match) continue;
    const entry = byIndex.get(match[1]!) ?? {};
    entry[match[2] as 'from' | 'to'] = value;
    byIndex.set(match[1]!, entry);
  }
  return [...byIndex.values()].filter((r): r is PathRewrite => r.from !== undefined && r.to !== undefined);
}

/** Table properties that declare path rewrites. */
export function rewritesToProperties(rewrites: readonly PathRewrite[]): Record<string, string> {
  const properties: Record<string, string> = {};
  rewrites.forEach((r, i) => {
    properties[`lakestream.path-rewrite.${i}.from`] = r.from;
    properties[`lakestream.path-rewrite.${i}.to`] = r.to;
  });
  return properties;
}

/**
 * Finds the store and key of a file URI: URIs are first rewritten (longest matching prefix wins),
 * then served by the warehouse store when under its root, or by a local store rooted at the
 * rewrite target for `file:` URIs outside it.
 */
export class PathResolver {
  private readonly store: ObjectStore;
  private readonly rewrites: readonly PathRewrite[];
  private readonly extraStores = new Map<string, ObjectStore>();

  constructor(store: ObjectStore, rewrites: readonly PathRewrite[] = []) {
    this.store = store;
    this.rewrites = [...rewrites].sort((a, b) => b.from.length - a.from.length);
  }

  /** The store holding a URI and its key there. */
  resolve(uri: string): { store: ObjectStore; key: string } {
    const rewrite = this.rewrites.find((r) => uri === r.from || uri.startsWith(`${trimSlash(r.from)}/`));
    const target = rewrite ? trimSlash(rewrite.to) + uri.slice(trimSlash(rewrite.from).length) : uri;
    if (target.startsWith(`${this.store.rootUri}/`))
      return { store: this.store, key: this.store.keyOf(target) };
    if (rewrite && rewrite.to.startsWith('file:')) {
      const root = trimSlash(rewrite.to);
      let store = this.extraStores.get(root);
      if (!store) {
        store = new LocalObjectStore(fileURLToPath(root));
        this.extraStores.set(root, store);
      }
      return { store, key: store.keyOf(target) };
    }
    try {
      return { store: this.store, key: this.store.keyOf(target) };
    } catch (cause) {
      throw lakeError(
        ErrorCode.NOT_FOUND,
        `table io: ${uri} is outside the warehouse and no path rewrite maps it; register the table with --rewrite '${prefixOf(uri)}=<where the files are>'`,
        { cause },
      );
    }
  }
}

function trimSlash(uri: string): string {
  return uri.replace(/\/+$/, '');
}

function prefixOf(uri: string): string {
  const match = /^([a-z0-9]+:\/\/[^/]*)/i.exec(uri);
  return match ? match[1]! : uri;
}
