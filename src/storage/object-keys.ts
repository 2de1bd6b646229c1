import { ErrorCode, lakeError } from '../core/index.js';
import type { LakestreamError } from '../core/index.js';

/**
 * Prefix of in-flight temporary files. Listings skip them unless asked to include them; a key may
 * name one only in its last segment and only to read, inspect or delete it, never to write.
 */
export const TEMP_PREFIX = '.tmp-';

/** Checks an object key; with `allowTemporary` its last segment may name a temp file. */
export function checkKey(key: string, { allowTemporary }: { allowTemporary: boolean }): void {
  if (key === '') throw invalidKey(key, 'it is empty');
  checkSegments(key, key.split('/'), allowTemporary);
}

/** A prefix is a directory part of whole segments followed by the start of a name. */
export function checkPrefix(prefix: string): void {
  const wholeSegments = prefix.split('/');
  wholeSegments.pop();
  checkSegments(prefix, wholeSegments, false);
}

/** A folder prefix of {@link ObjectStore.listChildren}: empty, or whole segments ending with `/`. */
export function checkFolderPrefix(prefix: string): void {
  if (prefix !== '' && !prefix.endsWith('/')) {
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `storage: '${prefix}' is not a folder prefix; end it with '/'`,
    );
  }
  if (prefix !== '') checkPrefix(prefix);
}

/** True when the last segment of `key` names a temp file. */
export function isTemporaryKey(key: string): boolean {
  return key.slice(key.lastIndexOf('/') + 1).startsWith(TEMP_PREFIX);
}

function checkSegments(text: string, segments: readonly string[], allowTemporaryLast: boolean): void {
  if (text.startsWith('/')) throw invalidKey(text, 'it is absolute; keys are relative to the store root');
  if (text.includes('\\')) throw invalidKey(text, "it contains a backslash; separate segments with '/'");
  if (text.includes('\0')) throw invalidKey(text, 'it contains a NUL character');
  segments.forEach((segment, index) => {
    if (segment === '') throw invalidKey(text, "it has an empty segment ('//' or a trailing '/')");
    if (segment === '.' || segment === '..') throw invalidKey(text, `it has a '${segment}' segment`);
    const temporaryAllowed = allowTemporaryLast && index === segments.length - 1;
    if (segment.startsWith(TEMP_PREFIX) && !temporaryAllowed) {
      throw invalidKey(text, `'${TEMP_PREFIX}' names are reserved for the store's temp files`);
    }
  });
}

function invalidKey(key: string, reason: string): LakestreamError {
  return lakeError(
    ErrorCode.INVALID_ARGUMENT,
    `storage: invalid object key '${key}': ${reason}; use a relative '/'-separated key like 'ns/table/metadata/v1.metadata.json'`,
  );
}
