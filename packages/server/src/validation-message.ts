/**
 * One schema error as Ajv reports it. With Ajv's `verbose` option (set in app.ts) each error also
 * carries the value it is about (`data`) and its keyword's schema (`schema`), from which the
 * message names what was sent and what would have been accepted.
 */
export interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string | undefined;
  readonly data?: unknown;
  readonly schema?: unknown;
}

/** Where in the request the error is: Fastify's names for the parts it validates. */
export type RequestPart = 'body' | 'querystring' | 'params' | 'headers' | (string & {});

const ALTERNATIVES = new Set(['anyOf', 'oneOf']);
const MAX_SHOWN = 60;

/**
 * A validation failure said once per field, naming the field and, where the schema lists them,
 * the accepted values: `querystring sort: must be one of priority, first_seen (got "bogus")`,
 * `body: unknown field "attrs"`, `body attributes.tier: must be <= 3`. Ajv reports an anyOf of
 * literals as one error per literal plus one for the anyOf; those become one sentence.
 */
export function validationMessage(errors: readonly SchemaError[], part: RequestPart): string {
  const alternatives = errors.filter((e) => ALTERNATIVES.has(e.keyword));
  // The outermost alternatives: an error inside one of them is one of its failed branches.
  const outer = alternatives.filter((a) => !alternatives.some((b) => b !== a && within(a, b)));
  const said: string[] = [];
  for (const error of errors) {
    if (outer.some((a) => a !== error && within(error, a))) continue;
    const line = ALTERNATIVES.has(error.keyword) ? describeAlternatives(error, errors.filter((e) => within(e, error)), part) : describe(error, part);
    if (!said.includes(line)) said.push(line);
  }
  return said.length > 0 ? said.join('; ') : `${part}: is invalid`;
}

/** Whether `error` comes from a branch of the alternatives `of` (its schema lies under theirs). */
function within(error: SchemaError, of: SchemaError): boolean {
  return error.schemaPath.startsWith(`${of.schemaPath}/`);
}

function describe(error: SchemaError, part: RequestPart): string {
  const noun = part === 'querystring' ? 'parameter' : 'field';
  switch (error.keyword) {
    case 'additionalProperties':
      return at(part, error.instancePath, `unknown ${noun} ${JSON.stringify(String(error.params.additionalProperty))}`);
    case 'required':
      return at(part, error.instancePath, `missing required ${noun} ${JSON.stringify(String(error.params.missingProperty))}`);
    case 'const':
      return at(part, error.instancePath, `must be ${shownValue(error.params.allowedValue)}${got(error.data)}`);
    case 'enum':
      return at(part, error.instancePath, `must be one of ${listed(error.params.allowedValues)}${got(error.data)}`);
    case 'type':
      return at(part, error.instancePath, `${error.message ?? `must be ${String(error.params.type)}`}${got(error.data)}`);
    default:
      return at(part, error.instancePath, error.message ?? `fails ${error.keyword}`);
  }
}

/**
 * Alternatives that are all literals (TypeBox's Union of Literals) read as one list of accepted
 * values; other alternatives (a string or null; a name or an object) say what each branch wanted.
 */
function describeAlternatives(error: SchemaError, branches: readonly SchemaError[], part: RequestPart): string {
  const literals = literalsOf(error.schema);
  if (literals) return at(part, error.instancePath, `must be one of ${literals.map(shownValue).join(', ')}${got(error.data)}`);
  const here = branches.filter((b) => b.instancePath === error.instancePath && !ALTERNATIVES.has(b.keyword));
  if (here.length > 0 && here.every((b) => b.keyword === 'type' || b.keyword === 'const')) {
    const wanted = [...new Set(here.map((b) => (b.keyword === 'type' ? String(b.params.type) : shownValue(b.params.allowedValue))))];
    return at(part, error.instancePath, `must be ${wanted.join(' or ')}${got(error.data)}`);
  }
  const reasons = [...new Set(branches.filter((b) => !ALTERNATIVES.has(b.keyword)).map((b) => relative(describe(b, part), at(part, error.instancePath, ''))))];
  return at(part, error.instancePath, reasons.length > 0 ? `matches none of its allowed forms (${reasons.join('; or ')})` : 'matches none of its allowed forms');
}

/** A branch's message without the location its alternatives already name. */
function relative(line: string, prefix: string): string {
  return line.startsWith(prefix) ? line.slice(prefix.length) : line;
}

/** The accepted values when every alternative is one (`const`) or a few (`enum`) literals. */
function literalsOf(schema: unknown): unknown[] | undefined {
  if (!Array.isArray(schema) || schema.length === 0) return undefined;
  const values: unknown[] = [];
  for (const branch of schema as unknown[]) {
    if (typeof branch !== 'object' || branch === null) return undefined;
    const b = branch as { const?: unknown; enum?: unknown };
    if ('const' in b) values.push(b.const);
    else if (Array.isArray(b.enum)) values.push(...(b.enum as unknown[]));
    else return undefined;
  }
  return values;
}

function at(part: RequestPart, instancePath: string, text: string): string {
  const field = fieldOf(part, instancePath);
  return `${part}${field ? ` ${field}` : ''}: ${text}`;
}

/**
 * `/attributes/tier` → `attributes.tier`, `/targets/0/name` → `targets[0].name`. In a query
 * string the index only says which repetition of a parameter it was (`?priority=P1&priority=P9`),
 * which the value shown with the error already tells, so it is left out.
 */
function fieldOf(part: RequestPart, instancePath: string): string {
  const segments = instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  let field = '';
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) {
      if (part !== 'querystring') field += `[${segment}]`;
    } else {
      field += field ? `.${segment}` : segment;
    }
  }
  return field;
}

function listed(values: unknown): string {
  return Array.isArray(values) ? values.map(shownValue).join(', ') : shownValue(values);
}

/** An accepted value as a person types it: strings bare (`first_seen`), others as JSON. */
function shownValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}

/** What was sent, when it is short and plain enough to repeat; long strings are cut. */
function got(value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return ' (got an array)';
  if (typeof value === 'object' && value !== null) return ' (got an object)';
  const json = JSON.stringify(value);
  return ` (got ${json.length > MAX_SHOWN ? `${json.slice(0, MAX_SHOWN)}…` : json})`;
}
