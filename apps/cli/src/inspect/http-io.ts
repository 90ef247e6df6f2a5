import type { IncomingMessage, ServerResponse } from 'node:http';
import { InspectError, InspectErrorCode } from './http-error.js';

// Reading requests and writing responses for the inspector's routes: parameters, bodies, JSON.

/** Largest request body accepted (a replay's edited context). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Longest id in a path. */
export const MAX_ID = 1024;

export const badRequest = (message: string) => new InspectError(400, InspectErrorCode.BAD_REQUEST, message);
export const notFound = (message: string) => new InspectError(404, InspectErrorCode.NOT_FOUND, message);

/** Security headers for everything served: no framing, nothing from elsewhere, no token in a Referer. */
export const HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

export function sendJson(res: ServerResponse, body: unknown, status = 200): void {
  sendJsonText(res, JSON.stringify(body), status);
}

export function sendJsonText(res: ServerResponse, text: string, status = 200): void {
  res.writeHead(status, {
    ...HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

export function decodeParam(raw: string): string {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw badRequest(`the path has a malformed %-escape: ${raw.slice(0, 100)}`);
  }
  if (value.length === 0 || value.length > MAX_ID)
    throw badRequest(`an id must be 1 to ${MAX_ID} characters long (got ${value.length})`);
  return value;
}

// ——— parameters and bodies

export function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!/^\d{1,9}$/.test(raw) || n < min || n > max)
    throw badRequest(
      `'${name}' must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw.slice(0, 50))})`,
    );
  return n;
}

export function seqParam(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(Number(raw)))
    throw badRequest(`'${name}' must be an event sequence number (got ${JSON.stringify(raw.slice(0, 50))})`);
  return Number(raw);
}

/** The request body as JSON, refused past MAX_BODY_BYTES without reading the rest. */
export function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    const tooLarge = () =>
      new InspectError(
        413,
        InspectErrorCode.TOO_LARGE,
        `the body is larger than ${MAX_BODY_BYTES} bytes (a replay's context must fit in 1 MiB)`,
      );
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return;
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(badRequest(`the body is not valid JSON: ${(error as Error).message}`));
      }
    });
    req.on('error', reject);
  });
}
