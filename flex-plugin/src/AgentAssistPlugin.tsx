import * as Flex from '@twilio/flex-ui';
import { FlexPlugin } from '@twilio/flex-plugin';
import React from 'react';

import { AssistTab } from './components/assist/AssistTab';
import { withAgentApi } from './components/common/AgentApiContext';
import { ContextTab } from './components/context/ContextTab';
import { SuggestReplyButton } from './components/reply/SuggestReplyButton';
import { createAgentApi } from './services/agentApi';
import { serverBaseUrl } from './services/serverUrl';

const PLUGIN_NAME = 'AgentAssistPlugin';

/**
 * The agent's side of the agent server in Flex: an Assist tab on voice tasks, a Context tab and a
 * "Suggest a reply" button on messaging tasks. It only registers components; they call the server as the
 * signed-in agent, with the Flex token read at each request.
 */
export default class AgentAssistPlugin extends FlexPlugin {
  constructor() {
    super(PLUGIN_NAME);
  }

  init(flex: typeof Flex, manager: Flex.Manager): void {
    const api = createAgentApi({ baseUrl: serverBaseUrl(), getToken: () => manager.user.token });
    const AssistContent = flex.withTaskContext(withAgentApi(AssistTab, api));
    const ContextContent = flex.withTaskContext(withAgentApi(ContextTab, api));
    const SuggestReply = withAgentApi(SuggestReplyButton, api);

    flex.TaskCanvasTabs.Content.add(
      <flex.Tab key="agent-assist-tab" uniqueName="agent-assist" label="Assist">
        <AssistContent />
      </flex.Tab>,
      { if: ({ task }) => Boolean(task) && flex.TaskHelper.isCallTask(task) },
    );
    flex.TaskCanvasTabs.Content.add(
      <flex.Tab key="agent-context-tab" uniqueName="agent-context" label="Context">
        <ContextContent />
      </flex.Tab>,
      { if: ({ task }) => Boolean(task) && flex.TaskHelper.isChatBasedTask(task) },
    );
    // Flex gives the message input's buttons the conversation SID they act on.
    flex.MessageInputActions.Content.add(<SuggestReply key="agent-suggest-reply" />, { sortOrder: -1 });
  }
}
