import { ErrorCode, errorText, lakeError } from '../../core/index.js';
import type { LakestreamError } from '../../core/index.js';
import { parseExactJson, stringifyExactJson } from '../iceberg/exact-json.js';

/** Options of a {@link RestClient}. */
export interface RestClientOptions {
  /** The catalog URI, e.g. `http://host:8080/iceberg` (requests go to `<uri>/v1/...`). */
  readonly uri: string;
  /** Bearer token sent with every request. */
  readonly token?: string;
  /** Asked of `GET /v1/config` (`warehouse` query parameter). */
  readonly warehouse?: string;
  /** Per request. Default 30 s. */
  readonly timeoutMs?: number;
  /** The fetch to use (tests wrap it). Default the global fetch. */
  readonly fetch?: typeof fetch;
}

/** A non-2xx answer of a REST catalog, with the spec's error `type` when it sent one. */
export interface RestFailure {
  readonly status: number;
  readonly type: string | undefined;
  readonly message: string;
}

/** Thrown by {@link RestClient.send} for non-2xx answers; callers map it to a lakestream error. */
export class RestFailureError extends Error {
  override readonly name = 'RestFailureError';
  constructor(readonly failure: RestFailure) {
    super(failure.message);
  }
}

/**
 * A small JSON-over-HTTP client of the Iceberg REST catalog: bearer token, the `prefix` the server
 * advertises in `GET /v1/config`, timeouts, and failures as {@link RestFailureError}. Transport
 * failures are LS_IO_ERROR.
 */
export class RestClient {
  readonly uri: string;
  private readonly options: RestClientOptions;
  private prefix: Promise<string> | undefined;

  constructor(options: RestClientOptions) {
    if (!URL.canParse(options.uri) || !/^https?:/.test(options.uri)) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `rest catalog: '${options.uri}' is not an http(s) URL; use the catalog URI, e.g. http://host:8080/iceberg`,
      );
    }
    this.uri = options.uri.replace(/\/+$/, '');
    this.options = options;
  }

  /**
   * Sends one request to `/v1/<prefix>/<path>`; resolves with the JSON body (undefined when empty).
   * Bodies are written and read exactly: integers beyond 2^53 (63-bit snapshot ids) are bigints.
   */
  async send(method: string, path: string, body?: unknown, query?: Record<string, string>): Promise<unknown> {
    const prefix = await this.catalogPrefix();
    return this.exchange(method, `/v1${prefix}${path}`, body, query);
  }

  private catalogPrefix(): Promise<string> {
    this.prefix ??= (async () => {
      const query = this.options.warehouse === undefined ? undefined : { warehouse: this.options.warehouse };
      const config = (await this.exchange('GET', '/v1/config', undefined, query)) as {
        defaults?: Record<string, string>;
        overrides?: Record<string, string>;
      };
      const prefix = config.overrides?.prefix ?? config.defaults?.prefix;
      return prefix === undefined || prefix === '' ? '' : `/${prefix.replace(/^\/+|\/+$/g, '')}`;
    })().catch((error: unknown) => {
      this.prefix = undefined;
      throw error;
    });
    return this.prefix;
  }

  private async exchange(
    method: string,
    path: string,
    body: unknown,
    query: Record<string, string> | undefined,
  ): Promise<unknown> {
    const url = new URL(`${this.uri}${path}`);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(this.options.token === undefined ? {} : { authorization: `Bearer ${this.options.token}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: stringifyExactJson(body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (cause) {
      throw unreachable(this.uri, method, path, cause);
    }
    const text = await response.text();
    if (response.ok) return text === '' ? undefined : parseExactJson(text);
    throw new RestFailureError(failureOf(response.status, text));
  }
}

function failureOf(status: number, text: string): RestFailure {
  try {
    const parsed = JSON.parse(text) as { error?: { type?: unknown; message?: unknown } };
    const type = typeof parsed.error?.type === 'string' ? parsed.error.type : undefined;
    const message = typeof parsed.error?.message === 'string' ? parsed.error.message : `HTTP ${status}`;
    return { status, type, message };
  } catch {
    return {
      status,
      type: undefined,
      message: `HTTP ${status}${text === '' ? '' : `: ${text.slice(0, 200)}`}`,
    };
  }
}

function unreachable(uri: string, method: string, path: string, cause: unknown): LakestreamError {
  return lakeError(
    ErrorCode.IO_ERROR,
    `rest catalog ${uri}: ${method} ${path} failed (${errorText(cause)}); check the catalog uri and that the server is running, then retry`,
    { cause, userError: false },
  );
}
