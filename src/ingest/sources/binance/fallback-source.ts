/**
 * Yields from `primary` if it produces a first event within `timeoutMs`; otherwise (or when it
 * fails before that) stops it and yields from `fallback` instead, calling `onFallback` once with
 * the reason, so the switch shows in one log line.
 */
export async function* withFallback(
  primary: (signal: AbortSignal) => AsyncIterable<string>,
  fallback: (signal: AbortSignal) => AsyncIterable<string>,
  options: { timeoutMs: number; onFallback?: (reason: string) => void },
  signal?: AbortSignal,
): AsyncGenerator<string> {
  const primaryAbort = new AbortController();
  const stopPrimary = (): void => primaryAbort.abort();
  signal?.addEventListener('abort', stopPrimary, { once: true });
  const iterator = primary(primaryAbort.signal)[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>(
    (resolve) => (timer = setTimeout(() => resolve('timeout'), options.timeoutMs)),
  );
  let first: IteratorResult<string> | 'timeout';
  try {
    first = await Promise.race([iterator.next(), timeout]);
  } catch (error) {
    first = 'timeout';
    options.onFallback?.(`primary source failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }
  if (first !== 'timeout' && !first.done) {
    try {
      yield first.value;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      signal?.removeEventListener('abort', stopPrimary);
    }
    return;
  }
  if (first === 'timeout')
    options.onFallback?.(
      `no event from the primary source within ${options.timeoutMs} ms; using the fallback`,
    );
  primaryAbort.abort();
  void iterator.return?.();
  signal?.removeEventListener('abort', stopPrimary);
  const fallbackAbort = new AbortController();
  signal?.addEventListener('abort', () => fallbackAbort.abort(), { once: true });
  yield* fallback(fallbackAbort.signal);
}
