import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { InspectError, InspectErrorCode } from './http-error.js';

/** Whether `host` (as given to --host) only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** A random token for the URL (128 bits, URL-safe). */
export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Who may use the inspector. Bound to loopback: anyone on this machine, but only through a
 * `Host` of this machine — a web page elsewhere cannot reach it by making its own name resolve
 * to 127.0.0.1 (DNS rebinding). Bound elsewhere: only with the token, given in the URL
 * (`?token=`) or as `Authorization: Bearer <token>`. A POST must come from the inspector's own
 * page (same `Origin`) with a JSON body, which a cross-site form cannot send.
 */
export class Access {
  readonly token: string | undefined;
  readonly #loopback: boolean;

  constructor(host: string, token: string | undefined) {
    this.#loopback = isLoopback(host);
    this.token = token;
  }

  check(req: IncomingMessage, url: URL): void {
    if (this.#loopback && !isLoopback(hostName(req.headers.host ?? ''))) {
      throw new InspectError(
        403,
        InspectErrorCode.FORBIDDEN,
        `the inspector answers only requests addressed to this machine (Host: ${JSON.stringify(String(req.headers.host ?? '').slice(0, 100))}); open it as http://127.0.0.1:<port>/`,
      );
    }
    if (this.token !== undefined) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const given = url.searchParams.get('token') ?? bearer;
      if (given === null || given === undefined || !same(given, this.token)) {
        throw new InspectError(
          403,
          InspectErrorCode.FORBIDDEN,
          'a valid token is needed: open the URL hookspell inspect printed (it ends with ?token=…)',
        );
      }
    }
    if (req.method === 'POST') {
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host}`) {
        throw new InspectError(
          403,
          InspectErrorCode.FORBIDDEN,
          `requests from ${origin.slice(0, 100)} are not accepted`,
        );
      }
      const type = String(req.headers['content-type'] ?? '');
      if (!/^application\/json\s*(;|$)/i.test(type)) {
        throw new InspectError(
          415,
          InspectErrorCode.UNSUPPORTED_MEDIA_TYPE,
          `send the body as JSON (Content-Type: application/json; got ${JSON.stringify(type.slice(0, 100))})`,
        );
      }
    }
  }
}

/** The host part of a Host header (`127.0.0.1:4477` → `127.0.0.1`, `[::1]:4477` → `::1`). */
function hostName(header: string): string {
  if (header.startsWith('[')) return header.slice(1, header.indexOf(']'));
  const colon = header.lastIndexOf(':');
  return colon === -1 ? header : header.slice(0, colon);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
