import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import React from 'react';

import { eventStream, fakeFetch, FakeResponse, jsonResponse, SentRequest } from '../../test/fakeFetch';
import { renderWithApi, testApi } from '../../test/render';
import { AssistPanel } from './AssistPanel';
import { AssistTab } from './AssistTab';

const transcript = (id: number, speaker: string, text: string) =>
  `id: ${id}\nevent: transcript\ndata: ${JSON.stringify({ speaker, text })}\n\n`;
const suggestion = (id: number, question: string, answer: string) =>
  `id: ${id}\nevent: suggestion\ndata: ${JSON.stringify({ question, answer })}\n\n`;
const assistAnswer = (status: string) => jsonResponse(200, { callSid: 'CA1', streamSid: 'MZ1', status });
const notFound = () => jsonResponse(404, { title: 'Not Found', status: 404, detail: 'No assist runs for this call.' });

/** A server whose event streams the test writes to, one per GET, and whose other answers the test chooses. */
function server(answer: (request: SentRequest) => FakeResponse | undefined = () => undefined) {
  const streams: ReturnType<typeof eventStream>[] = [];
  const { fetch, sent } = fakeFetch((request) => {
    const chosen = answer(request);
    if (chosen) {
      return chosen;
    }
    const stream = eventStream();
    streams.push(stream);
    return stream.answer(request);
  });
  return { api: testApi(fetch), sent, streams };
}

const lines = () => screen.queryAllByTestId('transcript-line').map((l) => l.textContent);

describe('AssistPanel', () => {
  test("an agent opening the tab mid-call sees the call's transcript and suggestions so far, both sides labelled", async () => {
    const { api, streams } = server();
    renderWithApi(<AssistPanel callSid="CA1" />, api);
    act(() => {
      streams[0].write(': listening\n\n');
      streams[0].write(transcript(1, 'customer', 'Hi, where is my refund?') + transcript(2, 'agent', 'Let me check.'));
      streams[0].write(suggestion(3, 'Where is my refund?', 'Refunds reach the card within 5 days.'));
    });
    await waitFor(() => expect(lines()).toEqual(['Customer: Hi, where is my refund?', 'Agent: Let me check.']));
    expect(screen.getByTestId('suggestion-answer')).toHaveTextContent('Refunds reach the card within 5 days.');
    expect(screen.getByTestId('suggestion-question')).toHaveTextContent('Where is my refund?');
    expect(screen.getByTestId('assist-status')).toHaveAttribute('data-status', 'live');
  });

  test('live lines and suggestions appear as they arrive, the newest suggestion first', async () => {
    const { api, streams } = server();
    renderWithApi(<AssistPanel callSid="CA1" />, api);
    act(() => streams[0].write(suggestion(1, 'Opening hours?', 'We open at 9.')));
    await screen.findByText('We open at 9.');
    act(() => streams[0].write(transcript(2, 'customer', 'And on Sundays?') + suggestion(3, 'Sundays?', 'Closed on Sundays.')));
    await waitFor(() => expect(lines()).toEqual(['Customer: And on Sundays?']));
    expect(screen.getAllByTestId('suggestion-answer').map((a) => a.textContent)).toEqual(['Closed on Sundays.', 'We open at 9.']);
  });

  test('with no assist running the panel says it is off and offers Start only', async () => {
    const { api } = server(() => notFound());
    renderWithApi(<AssistPanel callSid="CA1" />, api);
    await waitFor(() => expect(screen.getByTestId('assist-status')).toHaveAttribute('data-status', 'off'));
    expect(screen.getByTestId('assist-start')).toBeEnabled();
    expect(screen.getByTestId('assist-stop')).toBeDisabled();
    expect(screen.queryByTestId('assist-error')).not.toBeInTheDocument();
  });

  test('Start assist posts to the call, then follows its events', async () => {
    let running = false;
    const { api, sent, streams } = server((r) => {
      if (r.method === 'POST') {
        running = true;
        return assistAnswer('started');
      }
      return running ? undefined : notFound();
    });
    renderWithApi(<AssistPanel callSid="CA1" />, api);
    await waitFor(() => expect(screen.getByTestId('assist-start')).toBeEnabled());
    fireEvent.click(screen.getByTestId('assist-start'));
    await waitFor(() => expect(streams).toHaveLength(1));
    act(() => streams[0].write(transcript(1, 'agent', 'Hello, how can I help?')));
    await waitFor(() => expect(lines()).toEqual(['Agent: Hello, how can I help?']));
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET https://server.test/voice/calls/CA1/events',
      'POST https://server.test/voice/calls/CA1/assist',
      'GET https://server.test/voice/calls/CA1/events',
    ]);
    expect(screen.getByTestId('assist-stop')).toBeEnabled();
  });

  test('Stop assist deletes it, closes the stream and keeps what was said', async () => {
    const { api, sent, streams } = server((r) => (r.method === 'DELETE' ? assistAnswer('stopped') : undefined));
    renderWithApi(<AssistPanel callSid="CA1" />, api);
    act(() => streams[0].write(transcript(1, 'customer', 'Thanks, bye.')));
    await waitFor(() => expect(screen.getByTestId('assist-stop')).toBeEnabled());
    fireEvent.click(screen.getByTestId('assist-stop'));
    await waitFor(() => expect(screen.getByTestId('assist-status')).toHaveAttribute('data-status', 'off'));
    expect(sent[1]).toMatchObject({ method: 'DELETE', url: 'https://server.test/voice/calls/CA1/assist' });
    expect(sent[0].signal?.aborted).toBe(true);
    expect(lines()).toEqual(['Customer: Thanks, bye.']);
  });

  test('starting again asks only for events after the last one seen', async () => {
    const { api, sent, streams } = server((r) => (r.method === 'POST' ? assistAnswer('started') : undefined));
    renderWithApi(<AssistPanel callSid="CA1" />, api);
    act(() => {
      streams[0].write(transcript(41, 'customer', 'One more thing.'));
      streams[0].close();
    });
    await waitFor(() => expect(screen.getByTestId('assist-start')).toBeEnabled());
    fireEvent.click(screen.getByTestId('assist-start'));
    await waitFor(() => expect(sent).toHaveLength(3));
    expect(sent[2].headers['Last-Event-ID']).toBe('41');
  });

  test('closing the tab aborts the event stream', async () => {
    const { api, sent } = server();
    const { unmount } = renderWithApi(<AssistPanel callSid="CA1" />, api);
    await waitFor(() => expect(sent).toHaveLength(1));
    unmount();
    expect(sent[0].signal?.aborted).toBe(true);
  });

  test('a refused Flex token is shown as a refused sign-in, with the server detail', async () => {
    const { api } = server(() => jsonResponse(401, { title: 'Unauthorized', status: 401, detail: 'The Flex token is not valid.' }));
    renderWithApi(<AssistPanel callSid="CA1" />, api);
    expect(await screen.findByTestId('assist-error')).toHaveTextContent(
      'Your Flex sign-in was refused (The Flex token is not valid)',
    );
    expect(screen.getByTestId('assist-status')).toHaveAttribute('data-status', 'off');
    expect(screen.queryByTestId('assist-reconnect')).not.toBeInTheDocument();
  });

  test('a stream that breaks mid-call says so, and Reconnect asks only for the events after the last one seen', async () => {
    const { api, sent, streams } = server();
    renderWithApi(<AssistPanel callSid="CA1" />, api);
    act(() => streams[0].write(transcript(12, 'customer', 'Can you hear me?')));
    await waitFor(() => expect(lines()).toHaveLength(1));
    act(() => streams[0].fail());
    expect(await screen.findByTestId('assist-error')).toHaveTextContent('The connection to the agent server broke.');
    fireEvent.click(screen.getByTestId('assist-reconnect'));
    await waitFor(() => expect(streams).toHaveLength(2));
    act(() => streams[1].write(transcript(13, 'agent', 'Yes, loud and clear.')));
    await waitFor(() => expect(lines()).toEqual(['Customer: Can you hear me?', 'Agent: Yes, loud and clear.']));
    expect(sent[1].headers['Last-Event-ID']).toBe('12');
  });

  test('a failed start shows the problem detail and leaves Start available', async () => {
    const { api } = server((r) =>
      r.method === 'POST' ? jsonResponse(503, { title: 'Unavailable', status: 503, detail: 'No model is configured for voice assist.' }) : notFound(),
    );
    renderWithApi(<AssistPanel callSid="CA1" />, api);
    await waitFor(() => expect(screen.getByTestId('assist-start')).toBeEnabled());
    fireEvent.click(screen.getByTestId('assist-start'));
    expect(await screen.findByTestId('assist-error')).toHaveTextContent('No model is configured for voice assist.');
    expect(screen.getByTestId('assist-start')).toBeEnabled();
  });

  test('the copy button puts the suggestion on the clipboard', async () => {
    const writeText = jest.fn(() => Promise.resolve());
    Object.assign(navigator, { clipboard: { writeText } });
    const { api, streams } = server();
    renderWithApi(<AssistPanel callSid="CA1" />, api);
    act(() => streams[0].write(suggestion(1, 'Price?', 'It costs 10 euros.')));
    const card = (await screen.findByTestId('assist-suggestion')) as HTMLElement;
    fireEvent.click(within(card).getByTestId('suggestion-copy'));
    expect(writeText).toHaveBeenCalledWith('It costs 10 euros.');
    expect(await within(card).findByText('Copied')).toBeInTheDocument();
  });
});

describe('AssistTab', () => {
  test("follows the customer's call from the task's conference", async () => {
    const { api, sent } = server();
    const task = { conference: { participants: [{ participantType: 'customer', callSid: 'CA-customer' }] } };
    renderWithApi(<AssistTab task={task} />, api);
    await waitFor(() => expect(sent[0]?.url).toBe('https://server.test/voice/calls/CA-customer/events'));
  });

  test('says so when the task has no customer call', () => {
    const { api, sent } = server();
    renderWithApi(<AssistTab task={{ attributes: {} }} />, api);
    expect(screen.getByTestId('assist-no-call')).toBeInTheDocument();
    expect(sent).toHaveLength(0);
  });
});
