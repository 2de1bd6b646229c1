import { gunzipSync } from 'node:zlib';
import { ErrorCode, lakeError } from '../../core/index.js';
import type { ObjectStore } from '../../storage/index.js';

const versionedName = /^v(\d+)(?:\.gz)?\.metadata\.json(?:\.gz)?$/;
const numberedName = /^(\d+)-[0-9a-fA-F-]+(?:\.gz)?\.metadata\.json(?:\.gz)?$/;

/** The version number of a metadata file name (`v12.metadata.json`, `00012-<uuid>.metadata.json`, gzip forms). */
export function metadataVersionOf(location: string): number | undefined {
  const name = location.slice(location.lastIndexOf('/') + 1);
  const match = versionedName.exec(name) ?? numberedName.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Whether a file name is table metadata or the version hint. */
export function isMetadataFileName(name: string): boolean {
  return name === 'version-hint.text' || versionedName.test(name) || numberedName.test(name);
}

/**
 * Finds the current metadata file in a `metadata/` folder: the version hint when it names an
 * existing `v<N>` file (then probing past it, since a hint can lag a commit), otherwise the file
 * with the highest version number, whichever naming the writer used (Hadoop `v<N>`, Java/Athena
 * `<NNNNN>-<uuid>`, plain or gzip-compressed).
 */
export async function discoverMetadataFile(
  store: ObjectStore,
  metadataDir: string,
): Promise<string | undefined> {
  const hint = await store.getIfExists(`${metadataDir}/version-hint.text`);
  let version = hint === undefined ? NaN : Number(new TextDecoder().decode(hint).trim());
  if (Number.isInteger(version) && (await store.head(`${metadataDir}/v${version}.metadata.json`))) {
    while (await store.head(`${metadataDir}/v${version + 1}.metadata.json`)) version++;
    return `${metadataDir}/v${version}.metadata.json`;
  }
  let best: { key: string; version: number } | undefined;
  for (const name of await store.listChildren(`${metadataDir}/`)) {
    const found = metadataVersionOf(name);
    if (found !== undefined && (!best || found > best.version))
      best = { key: `${metadataDir}/${name}`, version: found };
  }
  return best?.key;
}

/** The text of a metadata file, gunzipped when it is compressed. */
export function decodeMetadataBytes(bytes: Uint8Array, key: string): string {
  if (key.includes('.gz') || (bytes[0] === 0x1f && bytes[1] === 0x8b)) {
    try {
      return gunzipSync(bytes).toString('utf8');
    } catch (cause) {
      throw lakeError(
        ErrorCode.CORRUPT_METADATA,
        `iceberg metadata: ${key} is not valid gzip; restore the file`,
        { cause },
      );
    }
  }
  return new TextDecoder().decode(bytes);
}
