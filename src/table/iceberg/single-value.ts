import { ErrorCode, lakeError } from '../../core/index.js';
import type { PrimitiveType } from './types.js';

/**
 * A primitive value in JS form: boolean; int/date → number; long/time/timestamp* → bigint
 * (micro- or nanoseconds); float/double → number; string/uuid → string; binary/fixed → bytes;
 * decimal → bigint unscaled value.
 */
export type PrimitiveValue = boolean | number | bigint | string | Uint8Array;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes a value in Iceberg's single-value binary serialization (used for bounds). */
export function encodeSingleValue(type: PrimitiveType, value: PrimitiveValue): Uint8Array {
  switch (baseType(type)) {
    case 'boolean':
      return Uint8Array.of(value === true ? 1 : 0);
    case 'int':
    case 'date': {
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setInt32(0, Number(value), true);
      return bytes;
    }
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns': {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigInt64(0, BigInt(value as bigint | number), true);
      return bytes;
    }
    case 'float': {
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setFloat32(0, Number(value), true);
      return bytes;
    }
    case 'double': {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, Number(value), true);
      return bytes;
    }
    case 'string':
      return textEncoder.encode(String(value));
    case 'uuid':
      return uuidToBytes(String(value));
    case 'binary':
    case 'fixed':
      return value as Uint8Array;
    case 'decimal':
      return bigintToMinimalBigEndian(BigInt(value as bigint));
  }
}

/** Decodes Iceberg single-value bytes into the JS form {@link encodeSingleValue} takes. */
export function decodeSingleValue(type: PrimitiveType, bytes: Uint8Array): PrimitiveValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (baseType(type)) {
    case 'boolean':
      return bytes[0] !== 0;
    case 'int':
    case 'date':
      return view.getInt32(0, true);
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      // Some writers store an int-sized bound for a long column promoted from int.
      return bytes.byteLength === 4 ? BigInt(view.getInt32(0, true)) : view.getBigInt64(0, true);
    case 'float':
      return view.getFloat32(0, true);
    case 'double':
      return bytes.byteLength === 4 ? view.getFloat32(0, true) : view.getFloat64(0, true);
    case 'string':
      return textDecoder.decode(bytes);
    case 'uuid':
      return bytesToUuid(bytes);
    case 'binary':
    case 'fixed':
      return bytes;
    case 'decimal':
      return bigEndianToBigint(bytes);
  }
}

type BaseType =
  | 'boolean'
  | 'int'
  | 'long'
  | 'float'
  | 'double'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'timestamp_ns'
  | 'timestamptz_ns'
  | 'string'
  | 'uuid'
  | 'binary'
  | 'fixed'
  | 'decimal';

/** The type name without parameters: `decimal(10, 2)` → `decimal`, `fixed[16]` → `fixed`. */
export function baseType(type: PrimitiveType): BaseType {
  if (type.startsWith('decimal')) return 'decimal';
  if (type.startsWith('fixed')) return 'fixed';
  switch (type) {
    case 'boolean':
    case 'int':
    case 'long':
    case 'float':
    case 'double':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
    case 'string':
    case 'uuid':
    case 'binary':
      return type;
    default:
      throw lakeError(ErrorCode.UNSUPPORTED, `iceberg: unknown primitive type '${type}'`);
  }
}

/** Parses `decimal(P, S)` into precision and scale. */
export function decimalParams(type: string): { precision: number; scale: number } {
  const match = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(type);
  if (!match) throw lakeError(ErrorCode.INVALID_ARGUMENT, `iceberg: '${type}' is not a decimal type`);
  return { precision: Number(match[1]), scale: Number(match[2]) };
}

function uuidToBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
    throw lakeError(ErrorCode.INVALID_ARGUMENT, `iceberg: '${uuid}' is not a UUID`);
  }
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function bytesToUuid(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function bigintToMinimalBigEndian(value: bigint): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  for (;;) {
    const byte = Number(rest & 0xffn);
    bytes.unshift(byte);
    rest >>= 8n;
    const signBitSet = (byte & 0x80) !== 0;
    if ((rest === 0n && !signBitSet) || (rest === -1n && signBitSet)) break;
  }
  return Uint8Array.from(bytes);
}

function bigEndianToBigint(bytes: Uint8Array): bigint {
  if (bytes.byteLength === 0) return 0n;
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  const negative = (bytes[0]! & 0x80) !== 0;
  return negative ? value - (1n << BigInt(bytes.byteLength * 8)) : value;
}
