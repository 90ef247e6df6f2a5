import { nearestName, suggestHookPoint } from '@hookspell/hooks';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../hookspell.schema.json' with { type: 'json' };
import { fieldName, pointerToPath } from './locate.js';

/** The published JSON Schema of the config file (`hookspell/hookspell.schema.json`). */
export const CONFIG_SCHEMA = schema;

/** One problem found by the schema, ready to be located in the file and printed. */
export interface SchemaProblem {
  /** Path of the bad value (or of the object missing a field). */
  path: (string | number)[];
  /** Point at the key naming `path` rather than its value (unknown fields, bad point names). */
  key: boolean;
  /** What is wrong, starting with the field's name. */
  message: string;
}

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  if (validator !== undefined) return validator;
  // `x-hint` is our annotation: the sentence printed when an anyOf/oneOf/pattern fails.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false });
  ajv.addKeyword({ keyword: 'x-hint', schemaType: 'string' });
  validator = ajv.compile(schema);
  return validator;
}

/**
 * Validates a parsed config against the schema; returns the first problem, or undefined.
 *
 * @example
 * validateConfig({ hooks: [{ name: 'a', point: 'BeforeToolExecutoin', run: 'lua:a.lua' }] });
 * // { path: ['hooks', 0, 'point'], message: "hooks[0].point: 'BeforeToolExecutoin' is not a hook point. Did you mean 'BeforeToolExecution'? …" }
 */
export function validateConfig(value: unknown): SchemaProblem | undefined {
  const validate = compile();
  if (validate(value)) return undefined;
  const error = pick(validate.errors ?? []);
  if (error === undefined) return { path: [], key: false, message: 'the config does not match the schema' };
  return describe(error);
}

/**
 * The one error worth printing: branch errors of an anyOf/oneOf/propertyNames are dropped (the
 * compound error speaks for them, with its `x-hint`), so are `if` errors (their `then` error
 * says it); of the rest, the deepest (an unknown field counts one deeper than its object) wins,
 * then the first.
 */
function pick(errors: readonly ErrorObject[]): ErrorObject | undefined {
  const compound = errors.filter(
    (e) => e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'propertyNames',
  );
  const kept = errors.filter(
    (e) =>
      e.keyword !== 'if' && !compound.some((c) => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`)),
  );
  const depth = (e: ErrorObject) =>
    pointerToPath(e.instancePath).length + (e.keyword === 'additionalProperties' ? 1 : 0);
  let best: ErrorObject | undefined;
  for (const e of kept) if (best === undefined || depth(e) > depth(best)) best = e;
  return best;
}

function describe(error: ErrorObject): SchemaProblem {
  const path = pointerToPath(error.instancePath);
  const field = fieldName(path);
  const hint = (error.parentSchema as { 'x-hint'?: string } | undefined)?.['x-hint'];
  const got = ` (got ${show(error.data)})`;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = (error.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      const guess = nearestName(name, known);
      return {
        path: [...path, name],
        key: true,
        message: `${fieldName([...path, name])}: unknown field${guess ? `. Did you mean \`${guess}\`?` : `; known fields: ${known.join(', ')}`}`,
      };
    }
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      const why =
        path[0] === 'storage' && missing === 'connectionString' ? " (needed for type 'postgres')" : '';
      return { path, key: false, message: `${field}: missing required field \`${missing}\`${why}` };
    }
    case 'propertyNames': {
      const name = (error.params as { propertyName: string }).propertyName;
      return { path: [...path, name], key: true, message: `${fieldName(path)}: ${pointProblem(name)}` };
    }
    case 'anyOf':
    case 'oneOf':
      if (path[path.length - 1] === 'point' && typeof error.data === 'string') {
        return { path, key: false, message: `${field}: ${pointProblem(error.data)}` };
      }
      return {
        path,
        key: false,
        message: `${field}: ${hint ?? error.message ?? 'is not valid'}${isObject(error.data) ? '' : got}`,
      };
    case 'pattern':
      if (path[path.length - 1] === 'name') {
        return { path, key: false, message: `${field}: a hook name must not contain spaces or '@'${got}` };
      }
      return { path, key: false, message: `${field}: ${hint ?? error.message}${got}` };
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      if (path[path.length - 1] === 'builtin' && typeof error.data === 'string') {
        const guess = nearestName(error.data, allowed as string[]);
        return {
          path,
          key: false,
          message: `${field}: '${error.data}' is not a built-in hook.${guess ? ` Did you mean '${guess}'?` : ''} Built-ins: ${allowed.join(', ')}`,
        };
      }
      return { path, key: false, message: `${field}: must be one of ${allowed.map(show).join(', ')}${got}` };
    }
    case 'type':
      return {
        path,
        key: false,
        message: `${field}: must be ${article((error.params as { type: string }).type)}${got}`,
      };
    default:
      return { path, key: false, message: `${field}: ${error.message ?? 'is not valid'}${got}` };
  }
}

/** "'X' is not a hook point. Did you mean 'Y'?", as the hooks registry words it. */
export function pointProblem(name: string): string {
  const suggestion = suggestHookPoint(name);
  return `'${name}' is not a hook point. ${
    suggestion
      ? `Did you mean '${suggestion}'? Custom points are spelled 'custom:<name>'.`
      : "Use a built-in point (see `hookspell hooks points`) or a custom point spelled 'custom:<name>'."
  }`;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function article(type: string): string {
  if (type === 'array' || type === 'object' || type === 'integer') return `an ${type}`;
  return `a ${type}`;
}
