import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** Serves a directory over HTTP with Range support, as an object store would. */
export async function serveDirectory(root: string): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((req, res) => {
    void (async () => {
      const path = join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      try {
        const info = await stat(path);
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        if (range) {
          const start = Number(range[1]);
          const end = range[2] ? Math.min(Number(range[2]), info.size - 1) : info.size - 1;
          res.writeHead(206, {
            'content-length': end - start + 1,
            'content-range': `bytes ${start}-${end}/${info.size}`,
          });
          createReadStream(path, { start, end }).pipe(res);
        } else {
          res.writeHead(200, { 'content-length': info.size });
          createReadStream(path).pipe(res);
        }
      } catch {
        res.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * Makes `fetch` read `file://` URIs under `rootUri` from `baseUrl` (table metadata stores file://
 * URIs; a reader of an object store would see them under its base URL). Returns the undo.
 */
export function serveFileUrls(rootUri: string, baseUrl: string): () => void {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    const mapped = url.startsWith(rootUri) ? baseUrl + url.slice(rootUri.length) : url;
    return realFetch(mapped, init);
  };
  return () => {
    globalThis.fetch = realFetch;
  };
}
