import { Box } from '@twilio-paste/core/box';
import { Button } from '@twilio-paste/core/button';
import { Heading } from '@twilio-paste/core/heading';
import { Theme } from '@twilio-paste/core/theme';
import React, { useEffect, useState } from 'react';
import ReactDOM from 'react-dom';

import { AssistTab } from '../src/components/assist/AssistTab';
import { AgentApiProvider } from '../src/components/common/AgentApiContext';
import { ContextTab } from '../src/components/context/ContextTab';
import { SuggestReplyButton } from '../src/components/reply/SuggestReplyButton';
import { createAgentApi } from '../src/services/agentApi';
import { onAction } from './flexUiStub';

// Inputs: ?server=<base url>&token=<agent token>&callSid=CA…&conversationSid=CH…[&assist=closed]
const query = new URLSearchParams(window.location.search);
const callSid = query.get('callSid') ?? undefined;
const conversationSid = query.get('conversationSid') ?? undefined;

/** Stands in for Flex's Manager: only the signed-in agent's token, which the client reads at each request. */
const manager = { user: { token: query.get('token') ?? '' } };
const api = createAgentApi({ baseUrl: query.get('server') ?? '', getToken: () => manager.user.token });

/** A voice task and a messaging task as Flex gives them to the panels (only what the panels read). */
const voiceTask = { attributes: {}, conference: { participants: callSid ? [{ participantType: 'customer', callSid }] : [] } };
const messagingTask = { attributes: conversationSid ? { conversationSid } : {} };

/** Flex's message input: SetInputText fills it; every invoked action is listed so a test can see none sent. */
const MessageInput: React.FC = () => {
  const [text, setText] = useState('');
  const [actions, setActions] = useState<string[]>([]);
  useEffect(
    () =>
      onAction((name, payload) => {
        setActions((list) => [...list, name]);
        const body = (payload as { body?: unknown } | undefined)?.body;
        if (name === 'SetInputText' && typeof body === 'string') {
          setText(body);
        }
      }),
    [],
  );
  return (
    <Box>
      <textarea data-testid="message-input" value={text} onChange={(e) => setText(e.target.value)} rows={4} cols={60} />
      <ul data-testid="invoked-actions">
        {actions.map((name, i) => (
          <li key={i}>{name}</li>
        ))}
      </ul>
    </Box>
  );
};

const Harness: React.FC = () => {
  const [assistOpen, setAssistOpen] = useState(query.get('assist') !== 'closed');
  return (
    <Box padding="space50" display="grid" gridTemplateColumns="1fr 1fr" columnGap="space70">
      <Box data-testid="voice-task">
        <Heading as="h2" variant="heading30">
          Voice task
        </Heading>
        <Button variant="secondary" onClick={() => setAssistOpen(!assistOpen)} data-testid="toggle-assist">
          {assistOpen ? 'Close the Assist tab' : 'Open the Assist tab'}
        </Button>
        {assistOpen && <AssistTab task={voiceTask} />}
      </Box>
      <Box data-testid="messaging-task">
        <Heading as="h2" variant="heading30">
          Messaging task
        </Heading>
        <ContextTab task={messagingTask} />
        <MessageInput />
        <SuggestReplyButton conversationSid={conversationSid} />
      </Box>
    </Box>
  );
};

ReactDOM.render(
  <Theme.Provider theme="default">
    <AgentApiProvider value={api}>
      <Harness />
    </AgentApiProvider>
  </Theme.Provider>,
  document.getElementById('root'),
);
