/**
 * A loopback HTTP load generator for the benchmarks. The clients run in a worker thread, so the
 * server under test keeps the main thread to itself; each client keeps one connection alive and
 * posts its share of the bodies one after another.
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
}

/** What came back: how many events were acknowledged (202) and how long it took. */
export interface HttpLoadResult {
  readonly ackedEvents: number;
  readonly failed: number;
  readonly ms: number;
}

const CLIENT_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Agent, request } = require('node:http');
const { url, contentType, bodies, eventsPerBody, clients } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: clients });
const post = (body) => new Promise((resolve) => {
  const req = request(url, { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode));
  });
  req.on('error', () => resolve(0));
  req.end(body);
});
(async () => {
  let next = 0, acked = 0, failed = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < bodies.length) {
      const status = await post(bodies[next++]);
      if (status === 202) acked += eventsPerBody; else failed++;
    }
  }));
  const ms = performance.now() - start;
  agent.destroy();
  parentPort.postMessage({ ackedEvents: acked, failed, ms });
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
