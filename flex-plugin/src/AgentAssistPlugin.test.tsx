import * as Flex from '@twilio/flex-ui';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import React from 'react';

import { fakeFetch, jsonResponse } from './test/fakeFetch';
import { renderWithApi, testApi } from './test/render';

// The plugin base class reads build-time globals that only the plugin scripts' bundler defines.
jest.mock('@twilio/flex-plugin', () => ({
  FlexPlugin: class {
    name: string;

    constructor(name: string) {
      this.name = name;
    }
  },
}));

import AgentAssistPlugin from './AgentAssistPlugin';

const tabsAdd = Flex.TaskCanvasTabs.Content.add as jest.Mock;
const inputAdd = Flex.MessageInputActions.Content.add as jest.Mock;

function initPlugin(manager: { user: { token: string } }) {
  tabsAdd.mockClear();
  inputAdd.mockClear();
  process.env.FLEX_APP_SERVER_URL = 'https://agent-server.test';
  new AgentAssistPlugin().init(Flex as never, manager as never);
}

const voiceTask = { task: { taskChannelUniqueName: 'voice' } };
const chatTask = { task: { taskChannelUniqueName: 'chat' } };

describe('AgentAssistPlugin', () => {
  test('adds an Assist tab shown on voice tasks only', () => {
    initPlugin({ user: { token: 't' } });
    const [element, options] = tabsAdd.mock.calls[0];
    expect(element.props).toMatchObject({ uniqueName: 'agent-assist', label: 'Assist' });
    expect(options.if(voiceTask)).toBe(true);
    expect(options.if(chatTask)).toBe(false);
  });

  test('adds a Context tab shown on messaging tasks only', () => {
    initPlugin({ user: { token: 't' } });
    const [element, options] = tabsAdd.mock.calls[1];
    expect(element.props).toMatchObject({ uniqueName: 'agent-context', label: 'Context' });
    expect(options.if(chatTask)).toBe(true);
    expect(options.if({ task: { taskChannelUniqueName: 'sms' } })).toBe(true);
    expect(options.if(voiceTask)).toBe(false);
  });

  test("the message input's Suggest a reply calls the configured server with the agent's current Flex token", async () => {
    const manager = { user: { token: 'token-at-sign-in' } };
    initPlugin(manager);
    const { fetch, sent } = fakeFetch(() => jsonResponse(200, { draft: 'Hi!' }));
    const realFetch = global.fetch;
    global.fetch = fetch;
    try {
      const [element] = inputAdd.mock.calls[0];
      // Flex renders what was added with the input's props; the client passed here is not the plugin's own.
      renderWithApi(React.cloneElement(element, { conversationSid: 'CH7' }), testApi(jest.fn()));
      fireEvent.click(screen.getByTestId('suggest-reply-button'));
      await waitFor(() => expect(sent).toHaveLength(1));
      manager.user.token = 'token-after-refresh';
      fireEvent.click(screen.getByTestId('suggest-reply-button'));
      await waitFor(() => expect(sent).toHaveLength(2));
    } finally {
      global.fetch = realFetch;
    }
    expect(sent[0].url).toBe('https://agent-server.test/agent/conversations/CH7/draft');
    expect(sent.map((r) => r.headers.Authorization)).toEqual(['Bearer token-at-sign-in', 'Bearer token-after-refresh']);
  });
});
