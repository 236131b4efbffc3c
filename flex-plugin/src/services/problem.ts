/**
 * A request to the agent server that did not succeed: the server's RFC 9457 problem (status, title, detail), or
 * status 0 when the server could not be reached at all. Never carries a raw response body.
 */
export class AgentApiError extends Error {
  readonly status: number;
  readonly title?: string;
  readonly detail?: string;
  readonly retryAfterSeconds?: number;

  constructor(status: number, fields: { title?: string; detail?: string; retryAfterSeconds?: number } = {}) {
    super(fields.detail ?? fields.title ?? `The agent server answered ${status}.`);
    this.name = 'AgentApiError';
    this.status = status;
    this.title = fields.title;
    this.detail = fields.detail;
    this.retryAfterSeconds = fields.retryAfterSeconds;
  }
}

const textField = (body: unknown, name: string): string | undefined => {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
};

const retryAfter = (response: Response): number | undefined => {
  const value = Number(response.headers.get('Retry-After'));
  return Number.isFinite(value) && value > 0 ? value : undefined;
};

/** Reads a failed response into an error; a body that is not a JSON problem is ignored, not shown. */
export async function problemFrom(response: Response): Promise<AgentApiError> {
  let body: unknown;
  if ((response.headers.get('Content-Type') ?? '').includes('json')) {
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
  }
  return new AgentApiError(response.status, {
    title: textField(body, 'title'),
    detail: textField(body, 'detail'),
    retryAfterSeconds: retryAfter(response),
  });
}

/** The sentence the agent sees for a failed request. */
export function describeError(error: unknown): string {
  if (!(error instanceof AgentApiError)) {
    return error instanceof Error && error.message ? error.message : 'Something went wrong.';
  }
  const reason = error.detail ?? error.title;
  // Inside parentheses a sentence's own full stop would be doubled by the one after them.
  const quoted = reason?.replace(/\.$/, '');
  if (error.status === 401) {
    return `Your Flex sign-in was refused (${quoted ?? 'no reason given'}). Sign in to Flex again.`;
  }
  if (error.status === 403) {
    return `Your Flex role may not use the agent assistant (${quoted ?? 'no agent, supervisor or admin role'}).`;
  }
  const message = reason ?? `The agent server answered ${error.status}.`;
  return error.retryAfterSeconds ? `${message} Try again in ${error.retryAfterSeconds} s.` : message;
}
