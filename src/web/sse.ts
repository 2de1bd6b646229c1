import { withApiKey } from './api-key.js';

/** The connection state of a live stream. */
export type LiveState = 'connecting' | 'open' | 'reconnecting';

/** Options of {@link subscribe}. */
export interface SubscribeOptions<T> {
  /** The SSE event name (`status`, `rows`). */
  readonly event: string;
  readonly onData: (data: T) => void;
  readonly onState?: (state: LiveState) => void;
}

/**
 * Opens a Server-Sent Events stream and hands each parsed JSON event to `onData`; the browser
 * reconnects by itself after a drop. Returns the function that closes it.
 */
export function subscribe<T>(url: string, options: SubscribeOptions<T>): () => void {
  const source = new EventSource(withApiKey(url));
  options.onState?.('connecting');
  const onMessage = (message: MessageEvent<string>): void => {
    let data: T;
    try {
      data = JSON.parse(message.data) as T;
    } catch {
      return;
    }
    options.onData(data);
  };
  source.addEventListener(options.event, onMessage as EventListener);
  source.onopen = () => options.onState?.('open');
  source.onerror = () =>
    options.onState?.(source.readyState === EventSource.CLOSED ? 'connecting' : 'reconnecting');
  return () => {
    source.removeEventListener(options.event, onMessage as EventListener);
    source.close();
  };
}

/**
 * Calls `task` at most once per `intervalMs`, at the end of the interval (trailing), never twice at
 * once: used to re-query lake tables after live rows arrive.
 */
export function throttle(task: () => Promise<void> | void, intervalMs: number): { (): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let pending = false;
  let last = 0;
  const run = async (): Promise<void> => {
    timer = undefined;
    if (running) {
      pending = true;
      return;
    }
    running = true;
    last = Date.now();
    try {
      await task();
    } finally {
      running = false;
      if (pending) {
        pending = false;
        schedule();
      }
    }
  };
  const schedule = (): void => {
    if (timer !== undefined) return;
    timer = setTimeout(() => void run(), Math.max(0, last + intervalMs - Date.now()));
  };
  return Object.assign(schedule, {
    cancel: () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      pending = false;
    },
  });
}
