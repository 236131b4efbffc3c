import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import React from 'react';

import { ConversationContext } from '../../services/types';
import { fakeFetch, jsonResponse } from '../../test/fakeFetch';
import { renderWithApi, testApi } from '../../test/render';
import { ContextCard } from './ContextCard';
import { ContextTab } from './ContextTab';

const mcpContext: ConversationContext = {
  conversationSid: 'CH1',
  customer: { name: 'alice', verified: { kind: 'phone', value: '+15551234567' } },
  origin: { door: 'mcp', channel: null, client: 'Claude', keyName: 'claude-desktop' },
  handoff: { reason: 'asked for a refund', summary: 'Customer ordered a kettle that arrived broken.' },
  aiMessages: [{ text: 'Our opening hours are 9 to 5.', at: '2026-12-02T10:00:00Z' }],
  waitingSince: '2026-12-02T10:01:00Z',
  waitedSeconds: 95,
  assistant: 'waiting',
  queue: { position: 3, expected_wait_seconds: 240, told_at: '2026-12-02T10:01:05Z' },
};

const bare: ConversationContext = {
  conversationSid: 'CH2',
  customer: { name: 'bob', verified: null },
  origin: { door: 'channel', channel: 'whatsapp', client: null, keyName: null },
  handoff: null,
  aiMessages: [],
  waitingSince: null,
  waitedSeconds: null,
  assistant: 'none',
  queue: null,
};

function show(context: ConversationContext | (() => ReturnType<typeof jsonResponse>)) {
  const { fetch, sent } = fakeFetch(() => (typeof context === 'function' ? context() : jsonResponse(200, context)));
  renderWithApi(<ContextCard conversationSid="CH1" />, testApi(fetch));
  return sent;
}

const field = (id: string) => screen.getByTestId(id).textContent;

describe('ContextCard', () => {
  afterEach(() => jest.useRealTimers());

  test('shows where an MCP customer came from: door, MCP client and key name', async () => {
    show(mcpContext);
    await screen.findByTestId('context-door');
    expect(field('context-door')).toContain('MCP');
    expect(field('context-client')).toBe('Claude');
    expect(field('context-key')).toBe('claude-desktop');
    expect(screen.queryByTestId('context-channel')).not.toBeInTheDocument();
  });

  test("shows the customer's name and verified identity", async () => {
    show(mcpContext);
    expect(await screen.findByTestId('context-name')).toHaveTextContent('alice');
    expect(field('context-verified')).toBe('Verified phone: +15551234567');
  });

  test('shows why the AI handed off and what it said', async () => {
    show(mcpContext);
    expect(await screen.findByTestId('context-reason')).toHaveTextContent('asked for a refund');
    expect(field('context-summary')).toBe('Customer ordered a kettle that arrived broken.');
    expect(screen.getAllByTestId('context-ai-message').map((m) => m.textContent)).toEqual([
      expect.stringContaining('Our opening hours are 9 to 5.'),
    ]);
  });

  test('shows that their assistant is still waiting on the line, and the queue place and wait they were told', async () => {
    show(mcpContext);
    expect(await screen.findByTestId('context-assistant')).toHaveTextContent('still waiting on the line');
    expect(field('context-queue')).toContain('place 3 in the queue, about 4 min to wait');
  });

  test('the waiting time ticks on from what the server said', async () => {
    jest.useFakeTimers();
    show(mcpContext);
    await waitFor(() => expect(screen.getByTestId('context-waited')).toHaveTextContent('Waiting for 1 min 35 s'));
    act(() => {
      jest.advanceTimersByTime(30_000);
    });
    expect(field('context-waited')).toContain('Waiting for 2 min 5 s');
  });

  test('a customer told pending has an assistant that will fetch the answer later', async () => {
    show({ ...mcpContext, assistant: 'pending', origin: { door: 'gpt-action', channel: null, client: null, keyName: 'gpt-store' } });
    expect(await screen.findByTestId('context-assistant')).toHaveTextContent('told “pending” and will fetch your answer later');
    expect(field('context-door')).toBe('GPT Action');
    expect(field('context-key')).toBe('gpt-store');
  });

  test('a channel customer with nothing known shows each empty case plainly', async () => {
    show(bare);
    expect(await screen.findByTestId('context-channel')).toHaveTextContent('WhatsApp');
    expect(field('context-door')).toBe('Directly on a channel');
    expect(field('context-verified')).toContain('Not verified');
    expect(screen.getByTestId('context-no-handoff')).toHaveTextContent('No AI handed this customer off.');
    expect(screen.getByTestId('context-no-ai-messages')).toBeInTheDocument();
    expect(field('context-waited')).toBe('Their last message is answered.');
    expect(field('context-assistant')).toContain('No assistant waits');
    ['context-client', 'context-key', 'context-queue', 'context-reason'].forEach((id) =>
      expect(screen.queryByTestId(id)).not.toBeInTheDocument(),
    );
  });

  test('an unknown conversation shows the problem detail', async () => {
    show(() => jsonResponse(404, { title: 'Not Found', status: 404, detail: 'No conversation CH1 is known here.' }));
    expect(await screen.findByTestId('context-error')).toHaveTextContent('No conversation CH1 is known here.');
  });

  test('a forged or expired Flex token is shown as a refused sign-in', async () => {
    show(() => jsonResponse(401, { title: 'Unauthorized', status: 401, detail: 'The Flex token has expired.' }));
    expect(await screen.findByTestId('context-error')).toHaveTextContent(
      'Your Flex sign-in was refused (The Flex token has expired)',
    );
  });

  test('Refresh reads the context again', async () => {
    const sent = show(mcpContext);
    await screen.findByTestId('context-door');
    fireEvent.click(screen.getByTestId('context-refresh'));
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1].url).toBe('https://server.test/agent/conversations/CH1/context');
  });
});

describe('ContextTab', () => {
  test("reads the conversation from the task's conversations attribute", async () => {
    const { fetch, sent } = fakeFetch(() => jsonResponse(200, bare));
    renderWithApi(<ContextTab task={{ attributes: { conversations: { conversation_id: 'CH9' } } }} />, testApi(fetch));
    await screen.findByTestId('context-door');
    expect(sent[0].url).toBe('https://server.test/agent/conversations/CH9/context');
  });

  test('says so when the task has no conversation', () => {
    const { fetch, sent } = fakeFetch(() => jsonResponse(200, bare));
    renderWithApi(<ContextTab task={{ attributes: {} }} />, testApi(fetch));
    expect(screen.getByTestId('context-no-conversation')).toBeInTheDocument();
    expect(sent).toHaveLength(0);
  });
});
