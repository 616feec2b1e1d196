import { Agent, request } from 'node:http';
import type { HttpTransport } from '@patchwise/agent';

/**
 * An HTTP/1.1 client for the simulator over `node:http` with pooled keep-alive connections. The
 * global fetch works too, but its WHATWG layers (streams, Headers, Response) cost the load
 * generator about as much CPU per check-in as the server spends answering it, and both share
 * the same cores: every microsecond saved here is one the server can use.
 */
export function keepAliveTransport(maxSockets = 256): HttpTransport & { close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const transport = (url: URL, init: Parameters<HttpTransport>[1]) =>
    new Promise<{ ok: boolean; status: number; text(): Promise<string> }>((resolve, reject) => {
      const body = Buffer.from(init.body);
      const req = request(url, { method: init.method, agent, signal: init.signal, headers: { ...init.headers, 'content-length': String(body.length) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ ok: status >= 200 && status < 300, status, text: () => Promise.resolve(text) });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  return Object.assign(transport, { close: () => agent.destroy() });
}
