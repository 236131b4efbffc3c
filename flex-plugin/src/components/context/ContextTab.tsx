import { Box } from '@twilio-paste/core/box';
import { Text } from '@twilio-paste/core/text';
import React from 'react';

import { TaskLike, taskConversationSid } from '../../services/taskIds';
import { ContextCard } from './ContextCard';

/** The Context tab of a messaging task: the context card of the task's conversation. */
export const ContextTab: React.FC<{ task?: TaskLike }> = ({ task }) => {
  const conversationSid = taskConversationSid(task);
  if (!conversationSid) {
    return (
      <Box padding="space40">
        <Text as="p" data-testid="context-no-conversation">
          This task has no conversation.
        </Text>
      </Box>
    );
  }
  return <ContextCard key={conversationSid} conversationSid={conversationSid} />;
};
