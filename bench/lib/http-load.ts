/**
 * A loopback HTTP load generator for the benchmarks. The clients run in a worker thread, so the
 * server under test keeps the main thread to itself. Closed loop (default): each client keeps one
 * connection alive and posts its share of the bodies one after another, as fast as answers come.
 * Paced (`intervalMs`): body i is posted at start + i × intervalMs whatever the answers, the steady
 * load of a freshness measurement.
 */
import { Worker } from 'node:worker_threads';

/** What the clients send. */
export interface HttpLoad {
  readonly url: string;
  readonly contentType: string;
  readonly bodies: readonly string[];
  /** Events in each body, for the events/s figure. */
  readonly eventsPerBody: number;
  readonly clients: number;
  /** Post one body every this many milliseconds instead of as fast as possible. */
  readonly intervalMs?: number;
}

/** What came back: how many events were acknowledged (202), how long it took, and when each body was. */
export interface HttpLoadResult {
  readonly ackedEvents: number;
  readonly failed: number;
  readonly ms: number;
  /** Per body: the wall time (`performance.timeOrigin + now()`, ms) of its 202, or null. */
  readonly ackedAt: readonly (number | null)[];
  /** Per body: the last WAL sequence number its 202 answer gave (`lastSeq`), or null. */
  readonly lastSeqs: readonly (number | null)[];
}

const CLIENT_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Agent, request } = require('node:http');
const { url, contentType, bodies, eventsPerBody, clients, intervalMs } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: clients });
const wall = () => performance.timeOrigin + performance.now();
const post = (body) => new Promise((resolve) => {
  const req = request(url, { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (text += chunk));
    res.on('end', () => {
      let lastSeq = null;
      try { lastSeq = JSON.parse(text).lastSeq ?? null; } catch {}
      resolve({ status: res.statusCode, lastSeq });
    });
  });
  req.on('error', () => resolve({ status: 0, lastSeq: null }));
  req.end(body);
});
const ackedAt = new Array(bodies.length).fill(null);
const lastSeqs = new Array(bodies.length).fill(null);
let acked = 0, failed = 0;
const send = async (i) => {
  const { status, lastSeq } = await post(bodies[i]);
  if (status === 202) { acked += eventsPerBody; ackedAt[i] = wall(); lastSeqs[i] = lastSeq; } else failed++;
};
(async () => {
  const start = performance.now();
  if (intervalMs === undefined) {
    let next = 0;
    await Promise.all(Array.from({ length: clients }, async () => {
      while (next < bodies.length) await send(next++);
    }));
  } else {
    const sends = [];
    for (let i = 0; i < bodies.length; i++) {
      const wait = start + i * intervalMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sends.push(send(i));
    }
    await Promise.all(sends);
  }
  const ms = performance.now() - start;
  agent.destroy();
  parentPort.postMessage({ ackedEvents: acked, failed, ms, ackedAt, lastSeqs });
})();
`;

/** Runs the load to the end and reports it. */
export function runHttpLoad(load: HttpLoad): Promise<HttpLoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CLIENT_CODE, { eval: true, workerData: load });
    worker.once('message', (result: HttpLoadResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
