import { eventStream, fakeFetch, jsonResponse, textResponse } from '../test/fakeFetch';
import { createAgentApi } from './agentApi';
import { AgentApiError } from './problem';
import { CallEvent } from './types';

const apiWith = (fetch: typeof globalThis.fetch, token: () => string | undefined = () => 'flex-token-1') =>
  createAgentApi({ baseUrl: 'https://server.test/', getToken: token, fetch });

describe('createAgentApi', () => {
  test("every request carries the agent's Flex token, read anew each time", async () => {
    let token = 'flex-token-1';
    const { fetch, sent } = fakeFetch(() => jsonResponse(200, { callSid: 'CA1', streamSid: 'MZ1', status: 'started' }));
    const api = apiWith(fetch, () => token);
    await api.startAssist('CA1');
    token = 'flex-token-2';
    await api.stopAssist('CA1');
    expect(sent.map((r) => r.headers.Authorization)).toEqual(['Bearer flex-token-1', 'Bearer flex-token-2']);
  });

  test('start and stop assist are POST and DELETE on the call', async () => {
    const { fetch, sent } = fakeFetch(() => jsonResponse(200, { callSid: 'CA1', streamSid: 'MZ1', status: 'stopped' }));
    const api = apiWith(fetch);
    await api.startAssist('CA1');
    const stopped = await api.stopAssist('CA1');
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST https://server.test/voice/calls/CA1/assist',
      'DELETE https://server.test/voice/calls/CA1/assist',
    ]);
    expect(stopped.status).toBe('stopped');
  });

  test('a draft is asked for with POST and its text returned', async () => {
    const { fetch, sent } = fakeFetch(() => jsonResponse(200, { draft: 'Your refund is on its way.' }));
    await expect(apiWith(fetch).draftReply('CH1')).resolves.toBe('Your refund is on its way.');
    expect(sent[0].method).toBe('POST');
    expect(sent[0].url).toBe('https://server.test/agent/conversations/CH1/draft');
  });

  test('the context is read with GET on the conversation', async () => {
    const { fetch, sent } = fakeFetch(() => jsonResponse(200, { conversationSid: 'CH1' }));
    await expect(apiWith(fetch).getConversationContext('CH1')).resolves.toMatchObject({ conversationSid: 'CH1' });
    expect(sent[0]).toMatchObject({ method: 'GET', url: 'https://server.test/agent/conversations/CH1/context' });
  });

  test("a problem answer becomes an error with the server's status, title and detail", async () => {
    const { fetch } = fakeFetch(() =>
      jsonResponse(503, { type: 'about:blank', title: 'Unavailable', status: 503, detail: 'No model is configured.' }, { 'Retry-After': '30' }),
    );
    const error = await apiWith(fetch).draftReply('CH1').catch((e) => e);
    expect(error).toBeInstanceOf(AgentApiError);
    expect(error).toMatchObject({ status: 503, title: 'Unavailable', detail: 'No model is configured.', retryAfterSeconds: 30 });
  });

  test('a failure whose body is not a problem keeps only its status, never the body', async () => {
    const { fetch } = fakeFetch(() => textResponse(502, '<html>Bad gateway from the proxy</html>'));
    const error = await apiWith(fetch).startAssist('CA1').catch((e) => e);
    expect(error).toMatchObject({ status: 502, detail: undefined, title: undefined });
    expect(error.message).not.toContain('html');
  });

  test('an unreachable server is an error of status 0 naming the server', async () => {
    const fetch = jest.fn(() => Promise.reject(new TypeError('Failed to fetch'))) as unknown as typeof globalThis.fetch;
    await expect(apiWith(fetch).startAssist('CA1')).rejects.toMatchObject({
      status: 0,
      detail: 'The agent server at https://server.test could not be reached.',
    });
  });

  test('without a Flex token nothing is sent and the sign-in is refused', async () => {
    const { fetch, sent } = fakeFetch(() => jsonResponse(200, {}));
    await expect(apiWith(fetch, () => undefined).startAssist('CA1')).rejects.toMatchObject({ status: 401 });
    expect(sent).toHaveLength(0);
  });

  test('without a server URL the error says which setting is missing', async () => {
    const { fetch } = fakeFetch(() => jsonResponse(200, {}));
    const api = createAgentApi({ baseUrl: '', getToken: () => 't', fetch });
    await expect(api.startAssist('CA1')).rejects.toMatchObject({ detail: expect.stringContaining('FLEX_APP_SERVER_URL') });
  });

  test('SIDs are escaped into the path', async () => {
    const { fetch, sent } = fakeFetch(() => jsonResponse(200, { draft: 'x' }));
    await apiWith(fetch).draftReply('CH/../x');
    expect(sent[0].url).toBe('https://server.test/agent/conversations/CH%2F..%2Fx/draft');
  });
});

describe('followCallEvents', () => {
  test('reads transcript and suggestion events with their ids, sending Last-Event-ID and the token', async () => {
    const stream = eventStream();
    const { fetch, sent } = fakeFetch(stream.answer);
    const events: CallEvent[] = [];
    const opened = jest.fn();
    const done = apiWith(fetch).followCallEvents('CA1', {
      signal: new AbortController().signal,
      lastEventId: '4',
      onOpen: opened,
      onEvent: (e) => events.push(e),
    });
    stream.write(': listening\n\nid: 5\nevent: transcript\ndata: {"speaker":"customer","text":"Where is my refund?"}\n\n');
    stream.write('id: 6\nevent: suggestion\ndata: {"question":"Where is my refund?","answer":"Refunds take 5 days."}\n\n');
    stream.write('id: 7\nevent: transcript\ndata: not json\n\nid: 8\nevent: other\ndata: {}\n\n');
    stream.close();
    await done;
    expect(opened).toHaveBeenCalledTimes(1);
    expect(sent[0]).toMatchObject({
      url: 'https://server.test/voice/calls/CA1/events',
      headers: { Accept: 'text/event-stream', Authorization: 'Bearer flex-token-1', 'Last-Event-ID': '4' },
    });
    expect(events).toEqual([
      { kind: 'transcript', id: '5', speaker: 'customer', text: 'Where is my refund?' },
      { kind: 'suggestion', id: '6', question: 'Where is my refund?', answer: 'Refunds take 5 days.' },
    ]);
  });

  test('aborting the signal ends the stream with an AbortError', async () => {
    const stream = eventStream();
    const { fetch } = fakeFetch(stream.answer);
    const controller = new AbortController();
    const done = apiWith(fetch).followCallEvents('CA1', { signal: controller.signal, onEvent: jest.fn() });
    stream.write(': listening\n\n');
    controller.abort();
    await expect(done).rejects.toMatchObject({ name: 'AbortError' });
  });

  test('a call without a running stream is a 404 error', async () => {
    const { fetch } = fakeFetch(() => jsonResponse(404, { title: 'Not Found', status: 404, detail: 'No assist runs for this call.' }));
    await expect(
      apiWith(fetch).followCallEvents('CA1', { signal: new AbortController().signal, onEvent: jest.fn() }),
    ).rejects.toMatchObject({ status: 404 });
  });
});
