// Request body decoding with the apiserver's error texts.
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../scenario/schema.ts';
import { badRequest } from './errors.ts';

export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the body of the request was empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function parseYamlBody(body: Buffer): unknown {
  try {
    return parseYaml(body.toString('utf8')) as unknown;
  } catch (err) {
    throw badRequest(`error decoding YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function asKubeObject(value: unknown): KubeObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('Object \'Kind\' is missing in request body');
  const obj = value as Record<string, unknown>;
  if (typeof obj['metadata'] !== 'object' || obj['metadata'] === null) obj['metadata'] = {};
  return obj as KubeObject;
}

/** `dryRun` from the query (client-node) and/or a DeleteOptions body (kubectl); only `All` is valid. */
export function isDryRun(query: URLSearchParams, bodyDryRun?: unknown): boolean {
  const values = [...query.getAll('dryRun'), ...(Array.isArray(bodyDryRun) ? bodyDryRun.map(String) : [])];
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dryRun value: unsupported value "${v}", supported values: "All"`);
  return values.length > 0;
}
