/**
 * A loopback HTTP load generator for the benchmarks. The clients run in a worker thread, so the
 * server under test keeps the main thread to itself. Closed loop (default): each client keeps one
 * connection alive and posts its share of the bodies one after another, as fast as answers come.
 * Paced (`intervalMs`): body i is posted at start + i × intervalMs whatever the answers (open
 * loop), and its latency is counted from that scheduled time, so time spent queued behind slow
 * answers counts too.
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
  /**
   * Paced only: body i goes over connection i mod `clients`, each client one keep-alive socket
   * with at most one request on it (HTTP/1.1 without pipelining), so all `clients` connections
   * are open and each carries its share. Default: one pool of `clients` sockets, opened as needed.
   */
  readonly pinned?: boolean;
  /**
   * Paced only: a body still unanswered this many milliseconds after the last scheduled send
   * counts as failed (`timedOut`), and the run ends then. Default: wait for every answer.
   */
  readonly deadlineMs?: number;
}

/** What came back: how many events were acknowledged (202), how long it took, and when each body was. */
export interface HttpLoadResult {
  readonly ackedEvents: number;
  /** Bodies not answered 202 (errors, other statuses and, paced, those past the deadline). */
  readonly failed: number;
  /** Paced: bodies still unanswered at the deadline (counted in `failed`). */
  readonly timedOut: number;
  readonly ms: number;
  /** Per body: the wall time (`performance.timeOrigin + now()`, ms) of its 202, or null. */
  readonly ackedAt: readonly (number | null)[];
  /** Per body: the last WAL sequence number its 202 answer gave (`lastSeq`), or null. */
  readonly lastSeqs: readonly (number | null)[];
  /**
   * Paced: per body, ms from its scheduled send (or from its actual send when a timer fired a
   * little early: whichever came first) to its 202; null when it failed. Closed loop: empty.
   */
  readonly latenciesMs: readonly (number | null)[];
  /**
   * Paced: per body, how late the generator itself handed it to the HTTP client (ms after its
   * scheduled time); a large value means the load generator, not the server, fell behind.
   */
  readonly sendLagsMs: readonly number[];
}

const CLIENT_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Agent, request } = require('node:http');
const { url, contentType, bodies, eventsPerBody, clients, intervalMs, pinned, deadlineMs } = workerData;
const paced = intervalMs !== undefined;
const agents = paced && pinned
  ? Array.from({ length: clients }, () => new Agent({ keepAlive: true, maxSockets: 1 }))
  : [new Agent({ keepAlive: true, maxSockets: clients })];
const wall = () => performance.timeOrigin + performance.now();
// requests in flight, tracked only when a deadline may have to cut them off
const outstanding = new Set();
const track = paced && deadlineMs !== undefined;
const post = (body, agent) => new Promise((resolve) => {
  const req = request(url, { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (text += chunk));
    res.on('end', () => {
      outstanding.delete(req);
      let lastSeq = null;
      try { lastSeq = JSON.parse(text).lastSeq ?? null; } catch {}
      resolve({ status: res.statusCode, lastSeq });
    });
  });
  if (track) outstanding.add(req);
  req.on('error', () => { outstanding.delete(req); resolve({ status: 0, lastSeq: null }); });
  req.end(body);
});
const ackedAt = new Array(bodies.length).fill(null);
const lastSeqs = new Array(bodies.length).fill(null);
const latenciesMs = paced ? new Array(bodies.length).fill(null) : [];
const sendLagsMs = paced ? new Array(bodies.length).fill(0) : [];
const sentAt = paced ? new Float64Array(bodies.length) : undefined;
const settled = new Uint8Array(bodies.length);
let acked = 0, failed = 0, timedOut = 0;
let start = 0;
const send = async (i) => {
  const { status, lastSeq } = await post(bodies[i], agents[i % agents.length]);
  if (settled[i]) return;
  settled[i] = 1;
  if (status === 202) {
    acked += eventsPerBody;
    ackedAt[i] = wall();
    lastSeqs[i] = lastSeq;
    // from the scheduled time, or from the send when a timer fired a little early (never the later)
    if (paced) latenciesMs[i] = performance.now() - Math.min(start + i * intervalMs, sentAt[i]);
  } else failed++;
};
(async () => {
  start = performance.now();
  if (!paced) {
    let next = 0;
    await Promise.all(Array.from({ length: clients }, async () => {
      while (next < bodies.length) await send(next++);
    }));
  } else {
    const sends = [];
    for (let i = 0; i < bodies.length; i++) {
      // a timer may fire up to 1 ms early (libuv's loop clock is whole ms): wait again until due
      for (let wait = start + i * intervalMs - performance.now(); wait > 0; wait = start + i * intervalMs - performance.now()) {
        await new Promise((r) => setTimeout(r, wait));
      }
      sentAt[i] = performance.now();
      sendLagsMs[i] = Math.max(0, sentAt[i] - (start + i * intervalMs));
      sends.push(send(i));
    }
    const all = Promise.all(sends);
    if (deadlineMs === undefined) await all;
    else {
      const left = start + (bodies.length - 1) * intervalMs + deadlineMs - performance.now();
      let timer;
      await Promise.race([all, new Promise((r) => (timer = setTimeout(r, Math.max(0, left))))]);
      clearTimeout(timer);
      for (let i = 0; i < bodies.length; i++) {
        if (settled[i]) continue;
        settled[i] = 1;
        failed++;
        timedOut++;
      }
      for (const req of outstanding) req.destroy();
    }
  }
  const ms = performance.now() - start;
  for (const agent of agents) agent.destroy();
  parentPort.postMessage({ ackedEvents: acked, failed, timedOut, ms, ackedAt, lastSeqs, latenciesMs, sendLagsMs });
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
