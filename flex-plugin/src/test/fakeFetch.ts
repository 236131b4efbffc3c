/** Response-shaped objects for a mocked fetch (jsdom has no fetch, Response or Headers). */
export interface FakeResponse {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  body: ReadableStream<Uint8Array> | null;
  json(): Promise<unknown>;
}

function headersOf(values: Record<string, string>) {
  const lower = Object.fromEntries(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
  return { get: (name: string) => lower[name.toLowerCase()] ?? null };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  const contentType = status >= 400 ? 'application/problem+json' : 'application/json';
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: headersOf({ 'Content-Type': contentType, ...headers }),
    body: null,
    json: () => Promise.resolve(body),
  };
}

export function textResponse(status: number, text: string, contentType = 'text/html'): FakeResponse {
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: headersOf({ 'Content-Type': contentType }),
    body: null,
    json: () => Promise.reject(new SyntaxError(`Unexpected token in ${text.slice(0, 10)}`)),
  };
}

/**
 * An event stream the test writes to while the code under test reads it (writes before the read are queued);
 * aborting the request's signal errors it, as fetch does.
 */
export function eventStream() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const response: FakeResponse = {
    ok: true,
    status: 200,
    headers: headersOf({ 'Content-Type': 'text/event-stream' }),
    body,
    json: () => Promise.reject(new Error('not JSON')),
  };
  const abortWith = (signal?: AbortSignal | null) =>
    signal?.addEventListener('abort', () => {
      const error = new Error('The operation was aborted.');
      error.name = 'AbortError';
      controller.error(error);
    });
  return {
    response,
    /** The response to answer a request with, errored when that request is aborted. */
    answer: (request: { signal?: AbortSignal | null }) => {
      abortWith(request.signal);
      return response;
    },
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    writeBytes: (bytes: Uint8Array) => controller.enqueue(bytes),
    close: () => controller.close(),
    /** Breaks the connection, as a network failure does. */
    fail: () => controller.error(new TypeError('network error')),
  };
}

/** A recorded request: what the code under test sent. */
export interface SentRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  signal?: AbortSignal | null;
}

/** A fetch mock answering each request with the handler's response and recording what was sent. */
export function fakeFetch(handler: (request: SentRequest) => FakeResponse | Promise<FakeResponse>) {
  const sent: SentRequest[] = [];
  const fetch = jest.fn(async (url: string, init: RequestInit = {}) => {
    const request = {
      url,
      method: init.method ?? 'GET',
      headers: { ...(init.headers as Record<string, string>) },
      signal: init.signal,
    };
    sent.push(request);
    return (await handler(request)) as unknown as Response;
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, sent };
}
