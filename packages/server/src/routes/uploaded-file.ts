import { PatchwiseError } from '@patchwise/core';

/**
 * The bytes of a file sent as the request body (application/octet-stream). An empty file is said
 * to be one, naming it: "send the file as the request body" would send its owner looking for a
 * mistake in how it was sent.
 */
export function uploadedFile(body: unknown, headers: { readonly 'content-length'?: string | undefined }, filename: string): Buffer {
  if (Buffer.isBuffer(body) && body.length > 0) return body;
  if ((Buffer.isBuffer(body) && body.length === 0) || headers['content-length'] === '0') {
    throw new PatchwiseError('PW_INPUT_INVALID', 'the file is empty', { input: filename });
  }
  throw new PatchwiseError('PW_INPUT_INVALID', 'send the file as the request body (application/octet-stream)');
}
