import { AgentApiError, problemFrom } from './problem';
import { readEventStream } from './sse';
import { AssistState, CallEvent, ConversationContext } from './types';

/** Where the server is and how to read the signed-in agent's Flex token (read anew for every request). */
export interface AgentApiOptions {
  baseUrl: string;
  getToken: () => string | undefined;
  fetch?: typeof fetch;
}

/** Options for following a call's events. */
export interface CallEventsOptions {
  signal: AbortSignal;
  lastEventId?: string;
  onOpen?: () => void;
  onEvent: (event: CallEvent) => void;
}

/** The agent server's endpoints the plugin uses, each authenticated with the agent's Flex token. */
export interface AgentApi {
  startAssist(callSid: string): Promise<AssistState>;
  stopAssist(callSid: string): Promise<AssistState>;
  /** Resolves when the server ends the stream (the call's assist ended); rejects with AbortError when aborted. */
  followCallEvents(callSid: string, options: CallEventsOptions): Promise<void>;
  getConversationContext(conversationSid: string, signal?: AbortSignal): Promise<ConversationContext>;
  draftReply(conversationSid: string): Promise<string>;
}

const isAbort = (error: unknown): boolean => error instanceof Error && error.name === 'AbortError';

/** Turns a server-sent event into a call event; events of other types or with unreadable data are skipped. */
function toCallEvent(type: string, data: string, id?: string): CallEvent | undefined {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (type === 'transcript' && (body.speaker === 'customer' || body.speaker === 'agent') && typeof body.text === 'string') {
    return { kind: 'transcript', id, speaker: body.speaker, text: body.text };
  }
  if (type === 'suggestion' && typeof body.answer === 'string') {
    return { kind: 'suggestion', id, question: typeof body.question === 'string' ? body.question : '', answer: body.answer };
  }
  return undefined;
}

/** Builds the client; every request goes through one function that adds the agent's token. */
export function createAgentApi(options: AgentApiOptions): AgentApi {
  const baseUrl = options.baseUrl.trim().replace(/\/+$/, '');
  const send = options.fetch ?? ((input: RequestInfo, init?: RequestInit) => fetch(input, init));

  async function request(method: string, path: string, accept: string, init: RequestInit = {}): Promise<Response> {
    if (!baseUrl) {
      throw new AgentApiError(0, { detail: "The plugin has no server URL: set FLEX_APP_SERVER_URL in its .env and build it again." });
    }
    const token = options.getToken();
    if (!token) {
      throw new AgentApiError(401, { detail: 'Flex holds no sign-in token for you' });
    }
    let response: Response;
    try {
      response = await send(baseUrl + path, {
        ...init,
        method,
        headers: { ...(init.headers as Record<string, string>), Accept: accept, Authorization: `Bearer ${token}` },
      });
    } catch (error) {
      if (isAbort(error)) {
        throw error;
      }
      throw new AgentApiError(0, { detail: `The agent server at ${baseUrl} could not be reached.` });
    }
    if (!response.ok) {
      throw await problemFrom(response);
    }
    return response;
  }

  async function json<T>(method: string, path: string, signal?: AbortSignal): Promise<T> {
    const response = await request(method, path, 'application/json', { signal });
    try {
      return (await response.json()) as T;
    } catch (error) {
      if (isAbort(error)) {
        throw error;
      }
      throw new AgentApiError(response.status, { detail: 'The agent server sent an answer the plugin cannot read.' });
    }
  }

  const call = (callSid: string) => `/voice/calls/${encodeURIComponent(callSid)}`;
  const conversation = (sid: string) => `/agent/conversations/${encodeURIComponent(sid)}`;

  return {
    startAssist: (callSid) => json<AssistState>('POST', `${call(callSid)}/assist`),
    stopAssist: (callSid) => json<AssistState>('DELETE', `${call(callSid)}/assist`),
    getConversationContext: (sid, signal) => json<ConversationContext>('GET', `${conversation(sid)}/context`, signal),
    async draftReply(sid) {
      const { draft } = await json<{ draft?: unknown }>('POST', `${conversation(sid)}/draft`);
      if (typeof draft !== 'string') {
        throw new AgentApiError(200, { detail: 'The agent server answered without a draft.' });
      }
      return draft;
    },
    async followCallEvents(callSid, { signal, lastEventId, onOpen, onEvent }) {
      const headers: Record<string, string> = lastEventId ? { 'Last-Event-ID': lastEventId } : {};
      const response = await request('GET', `${call(callSid)}/events`, 'text/event-stream', { signal, headers, cache: 'no-store' });
      if (!response.body) {
        throw new AgentApiError(response.status, { detail: 'The agent server sent no event stream.' });
      }
      onOpen?.();
      try {
        await readEventStream(response.body, ({ type, data, id }) => {
          const event = toCallEvent(type, data, id);
          if (event) {
            onEvent(event);
          }
        });
      } catch (error) {
        if (isAbort(error)) {
          throw error;
        }
        throw new AgentApiError(0, { detail: 'The connection to the agent server broke.' });
      }
    },
  };
}
