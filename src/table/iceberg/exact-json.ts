/**
 * JSON that keeps integers beyond 2^53 exactly: Spark, Trino and PyIceberg draw 63-bit snapshot
 * ids, which `JSON.parse` rounds and `JSON.stringify` refuses (as bigints). Integers beyond
 * Number.MAX_SAFE_INTEGER read as bigints; every other value reads as `JSON.parse` reads it.
 */

const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER);

/**
 * Whether `text` has a run of digits beyond 2^53 (17+ digits, or 16 above 9007199254740991).
 * Probes every 16th character and only looks around digits, so lakestream's own metadata (ids
 * below 2^53) is checked in a fraction of a `JSON.parse`; a run inside a string is a false alarm,
 * which only costs the exact parse.
 */
function mayHoldUnsafeInteger(text: string): boolean {
  const length = text.length;
  for (let at = MAX_SAFE_DIGITS.length - 1; at < length;) {
    if (!isDigit(text.charCodeAt(at))) {
      at += MAX_SAFE_DIGITS.length;
      continue;
    }
    let start = at;
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--;
    let end = at + 1;
    while (end < length && isDigit(text.charCodeAt(end))) end++;
    const digits = end - start;
    if (digits > MAX_SAFE_DIGITS.length) return true;
    if (digits === MAX_SAFE_DIGITS.length && text.slice(start, end) > MAX_SAFE_DIGITS) return true;
    at = end + MAX_SAFE_DIGITS.length;
  }
  return false;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Parses JSON text like `JSON.parse`, except that integers beyond 2^53 in magnitude become
 * bigints. Text with no such digit run goes straight to `JSON.parse`. Throws SyntaxError.
 */
export function parseExactJson(text: string): unknown {
  if (!mayHoldUnsafeInteger(text)) return JSON.parse(text);
  const parser = new ExactParser(text);
  const value = parser.value();
  parser.end();
  return value;
}

/**
 * Serializes like `JSON.stringify` (no replacer, no indent), writing bigints as their exact
 * digits. Values without bigints take `JSON.stringify` itself.
 */
export function stringifyExactJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError) || !/BigInt/i.test(error.message)) throw error;
    return writeExact(value, '') ?? 'null';
  }
}

function writeExact(value: unknown, key: string): string | undefined {
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    value = (value as { toJSON: (key: string) => unknown }).toJSON(key);
  }
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => writeExact(item, String(i)) ?? 'null').join(',')}]`;
      }
      const parts: string[] = [];
      for (const [name, item] of Object.entries(value)) {
        const text = writeExact(item, name);
        if (text !== undefined) parts.push(`${JSON.stringify(name)}:${text}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return JSON.stringify(value);
  }
}

const WHITESPACE = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
// a string's extent; JSON.parse of the token then refuses bad escapes and raw control characters
const STRING = /"(?:[^"\\]|\\.)*"/y;
const LITERAL = /true|false|null/y;

/** A recursive-descent JSON reader for text that may hold integers beyond 2^53. */
class ExactParser {
  private at = 0;

  constructor(private readonly text: string) {}

  value(): unknown {
    this.skipSpace();
    const c = this.text[this.at];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    const literal = this.match(LITERAL);
    if (literal === undefined) this.fail();
    return literal === 'null' ? null : literal === 'true';
  }

  end(): void {
    this.skipSpace();
    if (this.at !== this.text.length) this.fail();
  }

  private object(): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    this.at++;
    this.skipSpace();
    if (this.text[this.at] === '}') {
      this.at++;
      return object;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '"') this.fail();
      const name = this.string();
      this.expect(':');
      const item = this.value();
      if (name === '__proto__')
        Object.defineProperty(object, name, {
          value: item,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else object[name] = item;
      this.skipSpace();
      if (this.text[this.at] === '}') {
        this.at++;
        return object;
      }
      this.expect(',');
    }
  }

  private array(): unknown[] {
    const array: unknown[] = [];
    this.at++;
    this.skipSpace();
    if (this.text[this.at] === ']') {
      this.at++;
      return array;
    }
    for (;;) {
      array.push(this.value());
      this.skipSpace();
      if (this.text[this.at] === ']') {
        this.at++;
        return array;
      }
      this.expect(',');
    }
  }

  private string(): string {
    const token = this.match(STRING);
    if (token === undefined) this.fail();
    return JSON.parse(token) as string;
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.at;
    const found = NUMBER.exec(this.text);
    if (found === null) this.fail();
    this.at = NUMBER.lastIndex;
    const token = found[0];
    const value = Number(token);
    if (found[1] === undefined && found[2] === undefined && !Number.isSafeInteger(value))
      return BigInt(token);
    return value;
  }

  private expect(char: string): void {
    this.skipSpace();
    if (this.text[this.at] !== char) this.fail();
    this.at++;
  }

  private skipSpace(): void {
    WHITESPACE.lastIndex = this.at;
    WHITESPACE.exec(this.text);
    this.at = WHITESPACE.lastIndex;
  }

  private match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.at;
    const found = pattern.exec(this.text);
    if (found === null) return undefined;
    this.at = pattern.lastIndex;
    return found[0];
  }

  private fail(): never {
    const near = this.at >= this.text.length ? 'end of input' : `position ${this.at}`;
    throw new SyntaxError(`Unexpected token in JSON at ${near}`);
  }
}
