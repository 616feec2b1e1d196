import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_HEADERS, bodyDigest, generateAgentKeyPair, parsePublicKey, verifyRequestSignature } from '@patchwise/core';
import { AgentClient, type HttpTransport } from '../src/run/agent-client.js';
import type { WireFacts } from '../src/run/wire-facts.js';

const HOST = '00000000-0000-4000-8000-000000000001';
const FACTS = { hostname: 'web-1' } as unknown as WireFacts;

describe('AgentClient request headers', () => {
  const closers: (() => void)[] = [];
  afterEach(() => closers.splice(0).forEach((c) => c()));

  async function server(): Promise<{ url: string; seen: IncomingHttpHeaders[] }> {
    const seen: IncomingHttpHeaders[] = [];
    const srv = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end('{"intervalSeconds":60,"sendInventory":false}');
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    closers.push(() => srv.close());
    return { url: `http://127.0.0.1:${(srv.address() as { port: number }).port}`, seen };
  }

  it('gives every request its own 18-byte nonce, past many refills of its random pool', async () => {
    const { url, seen } = await server();
    const client = new AgentClient(url);
    const signer = { hostId: HOST, privateKey: generateAgentKeyPair().privateKey };
    for (let i = 0; i < 4; i++) await Promise.all(Array.from({ length: 300 }, () => client.checkin(signer, FACTS, null)));
    const nonces = seen.map((h) => h[AGENT_HEADERS.nonce] as string);
    expect(nonces).toHaveLength(1200);
    expect(new Set(nonces).size).toBe(1200);
    for (const n of nonces) expect(Buffer.from(n, 'base64url')).toHaveLength(18);
  });

  it('sends many requests at once on one shared deadline without a listener-leak warning', async () => {
    const { url, seen } = await server();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    closers.push(() => process.off('warning', onWarning));
    // node:http listens on the request's signal (as a load generator's transport does).
    const agent = new Agent({ keepAlive: true });
    closers.push(() => agent.destroy());
    const transport: HttpTransport = (target, init) =>
      new Promise((resolve, reject) => {
        const req = request(target, { method: init.method, headers: init.headers, signal: init.signal, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ ok: true, status: res.statusCode ?? 0, text: () => Promise.resolve(Buffer.concat(chunks).toString('utf8')) }));
        });
        req.on('error', reject);
        req.end(init.body);
      });
    const client = new AgentClient(url, () => new Date(), transport);
    const signer = { hostId: HOST, privateKey: generateAgentKeyPair().privateKey };
    const replies = await Promise.all(Array.from({ length: 200 }, () => client.checkin(signer, FACTS, null)));
    expect(replies.every((r) => r.intervalSeconds === 60)).toBe(true);
    expect(seen).toHaveLength(200);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([]);
  });
});

describe('AgentClient.putInventoryJson', () => {
  /** A transport that records what would go on the wire and answers like the inventory route. */
  function recorder(): { transport: HttpTransport; sent: { url: string; method: string; headers: Record<string, string>; body: string }[] } {
    const sent: { url: string; method: string; headers: Record<string, string>; body: string }[] = [];
    const transport: HttpTransport = (url, init) => {
      sent.push({ url: url.href, method: init.method, headers: init.headers, body: init.body });
      return Promise.resolve({ ok: true, status: 200, text: () => Promise.resolve('{"packages":1,"changes":{"opened":0,"updated":0,"fixed":0},"open":{"P1":0,"P2":0,"P3":0,"P4":0}}') });
    };
    return { transport, sent };
  }

  it('sends the given text byte for byte, signed over it, as putInventory sends the same document', async () => {
    const { transport, sent } = recorder();
    const client = new AgentClient('http://127.0.0.1:1', () => new Date(1_800_000_000_000), transport);
    const keys = generateAgentKeyPair();
    const signer = { hostId: HOST, privateKey: keys.privateKey };
    const inventory = { format: 'patchwise-inventory', version: 1, host: { name: 'web-1' }, packages: [{ name: 'bash', version: '5.2-1', arch: 'x86_64' }] };
    await client.putInventory(signer, 'd'.repeat(64), inventory);
    await client.putInventoryJson(signer, JSON.stringify({ digest: 'd'.repeat(64), inventory }));
    const [viaObject, viaText] = sent;
    expect(viaText?.body).toBe(viaObject?.body);
    expect(viaText?.method).toBe('PUT');
    expect(viaText?.url).toBe(viaObject?.url);
    // The signature covers the SHA-256 of exactly these bytes: the server's check passes.
    const h = viaText?.headers ?? {};
    const parts = { method: 'PUT', path: '/api/v1/agent/inventory', bodyDigest: bodyDigest(viaText?.body), timestamp: h[AGENT_HEADERS.timestamp] ?? '', nonce: h[AGENT_HEADERS.nonce] ?? '', host: HOST };
    expect(verifyRequestSignature(parsePublicKey(keys.publicKey), parts, h[AGENT_HEADERS.signature] ?? '')).toBe(true);
    expect(verifyRequestSignature(parsePublicKey(keys.publicKey), { ...parts, bodyDigest: bodyDigest(`${viaText?.body} `) }, h[AGENT_HEADERS.signature] ?? '')).toBe(false);
  });
});

describe('AgentClient without a server', () => {
  it('says why there was no answer, not fetch\'s bare "fetch failed"', async () => {
    // A port that was free a moment ago: nothing listens there now.
    const srv = createServer();
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((resolve) => srv.close(() => resolve()));
    const url = `http://127.0.0.1:${port}`;
    const client = new AgentClient(url);
    await expect(client.enroll('secret', 'k', FACTS)).rejects.toMatchObject({
      code: 'PW_SERVER_UNREACHABLE',
      message: `POST /api/v1/agent/enroll: cannot connect to the server at ${url} (connection refused): is it running?`,
    });
  });
});
