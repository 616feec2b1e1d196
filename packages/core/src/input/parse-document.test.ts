import { describe, expect, it } from 'vitest';
import { parseJson, parseYaml } from './index.js';

describe('parseJson / parseYaml', () => {
  it('parses and names the source in errors', () => {
    expect(parseJson('{"a":[1]}', 'f.json')).toEqual({ a: [1] });
    expect(() => parseJson('{"a":', 'f.json')).toThrow(/^f\.json: not valid JSON/);
    expect(parseYaml('a: [1]', 'f.yaml')).toEqual({ a: [1] });
    expect(() => parseYaml('a: [1', 'f.yaml')).toThrow(/^f\.yaml: not valid YAML/);
  });

  it('refuses documents nested deeper than the limit, iteratively (no stack overflow)', () => {
    const deep = `${'['.repeat(100000)}${']'.repeat(100000)}`;
    expect(() => parseJson(deep, 'deep.json')).toThrow(expect.objectContaining({ code: 'PW_INPUT_TOO_DEEP' }));
    expect(() => parseJson('[[[1]]]', 'ok.json', 3)).not.toThrow();
    expect(() => parseJson('[[[[1]]]]', 'no.json', 3)).toThrow('no.json: nested deeper than 3 levels');
    const deepYaml = `${'['.repeat(20000)}${']'.repeat(20000)}`;
    expect(() => parseYaml(deepYaml, 'deep.yaml')).toThrow(expect.objectContaining({ code: 'PW_INPUT_TOO_DEEP' }));
  });

  it('refuses YAML alias expansion bombs', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 12; i++) {
      const prev = i === 0 ? 'a' : `l${i - 1}`;
      lines.push(`l${i}: &l${i} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    expect(() => parseYaml(lines.join('\n'), 'bomb.yaml')).toThrow(expect.objectContaining({ code: 'PW_INPUT_MALFORMED' }));
  });
});
