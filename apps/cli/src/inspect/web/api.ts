/// <reference lib="dom" />

/** The token the page was opened with (the server puts it in a meta tag when one is needed). */
const token = document.querySelector<HTMLMetaElement>('meta[name="hookspell-token"]')?.content;

/** An API URL with the token, if any. */
export function apiUrl(
  path: string,
  params: Record<string, string | number | undefined | readonly string[]> = {},
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, v);
    else search.set(key, String(value));
  }
  if (token !== undefined) search.set('token', token);
  const q = search.toString();
  return q === '' ? path : `${path}?${q}`;
}

/** An error the API answered with: its HTTP status, stable code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string, params?: Parameters<typeof apiUrl>[1]): Promise<T> {
  return answer<T>(await fetch(apiUrl(path, params), { headers: { Accept: 'application/json' } }));
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(
    await fetch(apiUrl(path), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

async function answer<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(
      res.status,
      error?.code ?? `HTTP_${res.status}`,
      error?.message ?? (text.slice(0, 300) || res.statusText),
      body,
    );
  }
  return body as T;
}

/** A server-sent events stream of the API (EventSource reconnects by itself, resuming after its last id). */
export function stream(path: string, params?: Parameters<typeof apiUrl>[1]): EventSource {
  return new EventSource(apiUrl(path, params));
}
