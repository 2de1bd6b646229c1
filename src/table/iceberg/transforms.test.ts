import { describe, expect, it } from 'vitest';
import { applyTransform, hashForBucket } from './transforms.js';

describe('partition transforms', () => {
  it('hashes the spec test vectors', () => {
    expect(hashForBucket('int', 34)).toBe(2017239379);
    expect(hashForBucket('long', 34n)).toBe(2017239379);
    expect(hashForBucket('string', 'iceberg')).toBe(1210000089);
    expect(hashForBucket('date', 17486)).toBe(-653330422);
    expect(hashForBucket('timestamp', 1510871468000000n)).toBe(-2047944441);
    expect(hashForBucket('decimal(9, 2)', 1420n)).toBe(-500754589);
    expect(hashForBucket('uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7')).toBe(1488055340);
    expect(hashForBucket('binary', Uint8Array.of(0, 1, 2, 3))).toBe(-188683207);
  });

  it('floors time transforms before 1970', () => {
    expect(applyTransform('day', 'timestamptz', -1n)).toBe(-1);
    expect(applyTransform('hour', 'timestamptz', -1n)).toBe(-1);
    expect(applyTransform('year', 'date', -1)).toBe(-1);
    expect(applyTransform('month', 'date', -1)).toBe(-1);
    expect(applyTransform('day', 'timestamptz', 86_400_000_000n)).toBe(1);
  });

  it('truncates ints, longs and strings', () => {
    expect(applyTransform('truncate[10]', 'int', -1)).toBe(-10);
    expect(applyTransform('truncate[10]', 'long', 15n)).toBe(10n);
    expect(applyTransform('truncate[3]', 'string', 'iceberg')).toBe('ice');
  });
});
