import { describe, expect, it } from 'vitest';
import { errorFromResponse } from './error-from-response.js';

describe('errorFromResponse', () => {
  it("keeps the server's code and message", () => {
    const err = errorFromResponse(403, JSON.stringify({ error: { code: 'PW_QUARANTINED', message: 'host x is quarantined' } }), 'POST /api/v1/agent/checkin', 'http://s');
    expect(err.code).toBe('PW_QUARANTINED');
    expect(err.message).toBe('http://s: POST /api/v1/agent/checkin: host x is quarantined');
  });

  it('does not trust a code Patchwise does not know, nor a body that is not an error', () => {
    expect(errorFromResponse(500, JSON.stringify({ error: { code: 'constructor', message: 'm' } }), 'GET /x').code).toBe('PW_SERVER_UNREACHABLE');
    const html = errorFromResponse(502, '<html>bad gateway</html>', 'GET /x');
    expect([html.code, html.message]).toEqual(['PW_SERVER_UNREACHABLE', 'GET /x: HTTP 502']);
  });
});
