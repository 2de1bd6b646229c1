/** Shapes of `/v1/models` and `/v1/jobs` as the dashboard reads them (the server's JSON). */

/** Held-out metrics of a model or a baseline. */
export interface Metrics {
  readonly n?: number;
  readonly mae?: number;
  readonly rmse?: number;
  readonly r2?: number;
  readonly coverage?: number;
}

/** One registered model version. */
export interface ModelVersion {
  readonly name: string;
  readonly version: number;
  readonly kind: string;
  readonly target: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly metrics: {
    readonly model?: Metrics;
    readonly baselines?: Readonly<Record<string, Metrics>>;
    readonly rows?: Readonly<Record<string, number>>;
    /** The promotion rule's verdict on the held-out rows (versions trained since it exists). */
    readonly promotion?: { readonly eligible: boolean; readonly reason: string };
    /** Boosting: the candidate validation chose, and each candidate's test metrics. */
    readonly selection?: { readonly chosen: string };
    readonly candidates?: readonly { readonly name: string; readonly test: Metrics }[];
  };
  readonly trainingTable: string;
  readonly trainingSnapshotId: number | string;
  readonly trainingRows: number;
  readonly createdAt: string;
  readonly aliases: readonly string[];
}

/** A scheduled job. */
export interface JobView {
  readonly name: string;
  readonly description?: string;
  readonly schedule: string;
  readonly nextRunAt?: number;
  readonly dependsOn: readonly string[];
  readonly running: boolean;
}

/** One attempt of a job run. */
export interface JobRun {
  readonly job: string;
  readonly runId: string;
  readonly attempt: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status: string;
  readonly error?: string;
  readonly summary?: string;
  readonly trigger: string;
}
