import { Actions } from '@twilio/flex-ui';
import { Box } from '@twilio-paste/core/box';
import { Button } from '@twilio-paste/core/button';
import React, { useState } from 'react';

import { ProblemAlert } from '../common/ProblemAlert';
import { useAgentApi } from '../common/AgentApiContext';

/**
 * Asks the server for a draft answer and puts it in the conversation's message input for the agent to edit and
 * send: it fills the input (SetInputText) and never sends.
 */
export const SuggestReplyButton: React.FC<{ conversationSid?: string }> = ({ conversationSid }) => {
  const api = useAgentApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  if (!conversationSid) {
    return null;
  }

  const suggest = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const draft = await api.draftReply(conversationSid);
      await Actions.invokeAction('SetInputText', { body: draft, conversationSid });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box display="flex" flexDirection="column" rowGap="space20" data-testid="suggest-reply">
      <Button variant="secondary" size="small" onClick={suggest} loading={busy} data-testid="suggest-reply-button">
        Suggest a reply
      </Button>
      {error !== undefined && <ProblemAlert error={error} testId="suggest-reply-error" />}
    </Box>
  );
};
