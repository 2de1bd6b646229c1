import type {
  DashboardInfo,
  JobRun,
  JobView,
  ModelVersion,
  QueryAnswer,
  ReplayStatus,
  SystemStatus,
  TableDetail,
  TableSummary,
  TrainedModel,
} from '../api/schemas/index.js';
import { storedApiKey } from './api-key.js';

/** A failed API call: the server's stable code (`LS_...`) and message, or a network failure. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = status;
  }
}

/** The message of any error, with its code when it has one. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Typed calls to one project's API; `baseUrl` is '' for the serving origin. */
export class ApiClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** The absolute or relative URL of a path on this API. */
  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  dashboard(signal?: AbortSignal): Promise<DashboardInfo> {
    return this.request('GET', '/v1/dashboard', undefined, signal);
  }

  system(): Promise<SystemStatus> {
    return this.request('GET', '/v1/system');
  }

  tables(): Promise<TableSummary[]> {
    return this.request<TableSummary[] | { tables: TableSummary[] }>('GET', '/v1/tables').then((body) =>
      Array.isArray(body) ? body : body.tables,
    );
  }

  table(name: string): Promise<TableDetail> {
    return this.request('GET', `/v1/tables/${encodeURIComponent(name)}`);
  }

  tableRows(name: string, snapshot: string | undefined, limit: number): Promise<QueryAnswer> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (snapshot) query.set('snapshot', snapshot);
    return this.request('GET', `/v1/tables/${encodeURIComponent(name)}/rows?${query}`);
  }

  query(sql: string, limit = 1000, signal?: AbortSignal): Promise<QueryAnswer> {
    return this.request('POST', '/v1/query', { sql, limit }, signal);
  }

  replays(): Promise<ReplayStatus[]> {
    return this.request<ReplayStatus[] | { replays: ReplayStatus[] }>('GET', '/v1/replays').then((body) =>
      Array.isArray(body) ? body : body.replays,
    );
  }

  controlReplay(stream: string, action: 'pause' | 'resume', rate?: number): Promise<ReplayStatus> {
    const body = rate === undefined ? { action } : { action, rate };
    return this.request('POST', `/v1/replays/${encodeURIComponent(stream)}`, body);
  }

  async models(): Promise<ModelVersion[]> {
    return (await this.request<{ versions: ModelVersion[] }>('GET', '/v1/models')).versions;
  }

  train(name: string, promote?: string): Promise<TrainedModel> {
    return this.request('POST', `/v1/models/${encodeURIComponent(name)}/train`, promote ? { promote } : {});
  }

  setAlias(name: string, alias: string, version: number): Promise<ModelVersion> {
    const path = `/v1/models/${encodeURIComponent(name)}/aliases/${encodeURIComponent(alias)}`;
    return this.request('PUT', path, { version });
  }

  rollback(name: string, alias: string): Promise<ModelVersion> {
    const path = `/v1/models/${encodeURIComponent(name)}/aliases/${encodeURIComponent(alias)}/rollback`;
    return this.request('POST', path, {});
  }

  async jobs(): Promise<JobView[]> {
    return (await this.request<{ jobs: JobView[] }>('GET', '/v1/jobs')).jobs;
  }

  async runJob(name: string): Promise<JobRun> {
    return (await this.request<{ run: JobRun }>('POST', `/v1/jobs/${encodeURIComponent(name)}/run`, {})).run;
  }

  async jobRuns(limit = 50): Promise<JobRun[]> {
    return (await this.request<{ runs: JobRun[] }>('GET', `/v1/jobs/runs?limit=${limit}`)).runs;
  }

  private async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url(path), {
        method,
        headers: requestHeaders(body !== undefined),
        body: body === undefined ? null : JSON.stringify(body),
        signal: signal ?? null,
      });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new ApiError('NETWORK', `cannot reach ${this.url(path)}; is the lakestream process running?`, 0, {
        cause,
      });
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) {
      const error = errorOf(parsed);
      throw new ApiError(
        error?.code ?? `HTTP_${response.status}`,
        error?.message ?? `${method} ${path} answered ${response.status} ${response.statusText}`,
        response.status,
      );
    }
    return parsed as T;
  }
}

function requestHeaders(json: boolean): Record<string, string> {
  const key = storedApiKey();
  return {
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
  };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function errorOf(body: unknown): { code: string; message: string } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const inner = record.error;
  if (typeof inner === 'object' && inner !== null) {
    const error = inner as Record<string, unknown>;
    return { code: String(error.code ?? 'LS_ERROR'), message: String(error.message ?? '') };
  }
  if (typeof record.message === 'string')
    return { code: String(record.code ?? 'ERROR'), message: record.message };
  return undefined;
}
