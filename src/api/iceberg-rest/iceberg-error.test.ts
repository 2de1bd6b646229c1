import { describe, expect, it } from 'vitest';
import { lakeError } from '../../core/index.js';
import { icebergErrorOf, icebergErrorPayload } from './iceberg-error.js';

describe('Iceberg REST errors', () => {
  it('maps stable codes to the spec status and exception type', () => {
    const cases = [
      ['LS_INVALID_ARGUMENT', 400, 'BadRequestException'],
      ['LS_TABLE_NOT_FOUND', 404, 'NoSuchTableException'],
      ['LS_NAMESPACE_NOT_FOUND', 404, 'NoSuchNamespaceException'],
      ['LS_TABLE_EXISTS', 409, 'AlreadyExistsException'],
      ['LS_NAMESPACE_NOT_EMPTY', 409, 'NamespaceNotEmptyException'],
      ['LS_COMMIT_CONFLICT', 409, 'CommitFailedException'],
      ['LS_UNSUPPORTED', 406, 'UnsupportedOperationException'],
      ['LS_CORRUPT_METADATA', 500, 'InternalServerError'],
    ] as const;
    for (const [code, status, type] of cases) {
      expect(icebergErrorOf(lakeError(code, 'm'))).toEqual({
        status,
        body: { error: { message: 'm', type, code: status } },
      });
    }
  });

  it('reports a server failure during a commit as a commit of unknown state', () => {
    const internal = lakeError('LS_IO_ERROR', 'postgres went away', { userError: false });
    expect(icebergErrorOf(internal, true).body.error.type).toBe('CommitStateUnknownException');
    expect(icebergErrorOf(lakeError('LS_CORRUPT_METADATA', 'bad'), true).body.error.type).toBe(
      'CommitStateUnknownException',
    );
    expect(icebergErrorOf(new Error('boom')).body.error).toMatchObject({
      type: 'InternalServerError',
      code: 500,
    });
    expect(icebergErrorOf(new Error('boom')).body.error.message).not.toMatch(/boom/);
  });

  it('sends 406 in both the wrapped and the bare form the spec names', () => {
    const reply = icebergErrorOf(lakeError('LS_UNSUPPORTED', 'no'));
    expect(icebergErrorPayload(reply)).toEqual({
      error: { message: 'no', type: 'UnsupportedOperationException', code: 406 },
      message: 'no',
      type: 'UnsupportedOperationException',
      code: 406,
    });
  });
});
