import { Box } from '@twilio-paste/core/box';
import { Text } from '@twilio-paste/core/text';
import React from 'react';

import { customerCallSid, TaskLike } from '../../services/taskIds';
import { AssistPanel } from './AssistPanel';

/** The Assist tab of a voice task: assist for the task's customer call. */
export const AssistTab: React.FC<{ task?: TaskLike }> = ({ task }) => {
  const callSid = customerCallSid(task);
  if (!callSid) {
    return (
      <Box padding="space40">
        <Text as="p" data-testid="assist-no-call">
          This task has no customer call yet.
        </Text>
      </Box>
    );
  }
  // A new call gets a fresh panel, so nothing of the previous call's stream or lines is kept.
  return <AssistPanel key={callSid} callSid={callSid} />;
};
