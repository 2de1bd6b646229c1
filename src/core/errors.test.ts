import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isLakestreamError, lakeError } from './errors.js';

describe('error codes', () => {
  it('are all documented in docs/errors.md', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    for (const code of Object.values(ErrorCode)) expect(doc).toContain(`\`${code}\``);
  });

  it('are unique', () => {
    const codes = Object.values(ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('carry code, cause and retryability', () => {
    const cause = new Error('disk');
    const error = lakeError(ErrorCode.COMMIT_CONFLICT, 'iceberg: conflict', { cause });
    expect(isLakestreamError(error, ErrorCode.COMMIT_CONFLICT)).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(true);
    expect(lakeError(ErrorCode.IO_ERROR, 'x').retryable).toBe(false);
  });
});
