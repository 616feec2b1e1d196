import { describe, expect, it } from 'vitest';
import { PatchwiseError, fromWireError, toWireError } from './index.js';

describe('WireError', () => {
  it('survives structured clone with its code, input and exact message', () => {
    const err = new PatchwiseError('PW_INPUT_MALFORMED', 'not valid JSON at line 3 column 1', { input: 'hosts/a: b.json' });
    const back = fromWireError(structuredClone(toWireError(err)));
    expect(back).toBeInstanceOf(PatchwiseError);
    expect([back.code, back.input, back.message]).toEqual([err.code, err.input, err.message]);
  });

  it('keeps an error without input as it is', () => {
    const back = fromWireError(toWireError(new PatchwiseError('PW_INPUT_INVALID', 'components: must be an array')));
    expect([back.code, back.input, back.message]).toEqual(['PW_INPUT_INVALID', undefined, 'components: must be an array']);
  });

  it('does not trust a code Patchwise does not know', () => {
    const back = fromWireError({ code: 'constructor' as never, message: 'm', input: undefined });
    expect(back.code).toBe('PW_INTERNAL');
  });
});
