/**
 * A part of a process that runs beside its micro-batch loop (the HTTP API, the job scheduler, a
 * leader lock): started once the stages are open, stopped in the reverse order at shutdown.
 */
export interface Service {
  /** What the service is, for logs. */
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `services` in order; when one fails, those already started are stopped (newest first) and the failure is rethrown. */
export async function startServices(services: readonly Service[]): Promise<void> {
  const started: Service[] = [];
  try {
    for (const service of services) {
      await service.start();
      started.push(service);
    }
  } catch (error) {
    await stopServices(started).catch(() => undefined);
    throw error;
  }
}

/** Stops `services` newest first; each one is stopped even when an earlier stop failed, whose error is rethrown after. */
export async function stopServices(services: readonly Service[]): Promise<void> {
  let failure: { error: unknown } | undefined;
  for (const service of [...services].reverse()) {
    try {
      await service.stop();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}
