import { Box } from '@twilio-paste/core/box';
import { Button } from '@twilio-paste/core/button';
import { Heading } from '@twilio-paste/core/heading';
import { Stack } from '@twilio-paste/core/stack';
import { Text } from '@twilio-paste/core/text';
import React from 'react';

import { ProblemAlert } from '../common/ProblemAlert';
import { AssistState } from './assistState';
import { SuggestionList } from './SuggestionList';
import { TranscriptList } from './TranscriptList';
import { useCallAssist } from './useCallAssist';

const statusText: Record<AssistState['status'], string> = {
  connecting: 'Connecting to the call…',
  live: 'Assist is on: listening to the customer and to you.',
  off: 'Assist is off for this call.',
  interrupted: 'The live transcript stopped.',
};

/** Start/stop assist for a call, its live transcript (both sides) and the model's suggestions. */
export const AssistPanel: React.FC<{ callSid: string }> = ({ callSid }) => {
  const { status, transcript, suggestions, error, busy, start, stop, reconnect } = useCallAssist(callSid);
  return (
    <Box padding="space40" data-testid="assist-panel">
      <Stack orientation="vertical" spacing="space50">
        <Stack orientation="horizontal" spacing="space30">
          <Button variant="primary" onClick={start} disabled={busy || status === 'live' || status === 'connecting'} data-testid="assist-start">
            Start assist
          </Button>
          <Button variant="secondary" onClick={stop} disabled={busy || status === 'off' || status === 'connecting'} data-testid="assist-stop">
            Stop assist
          </Button>
          {status === 'interrupted' && (
            <Button variant="link" onClick={reconnect} data-testid="assist-reconnect">
              Reconnect
            </Button>
          )}
        </Stack>
        <Text as="p" data-testid="assist-status" data-status={status}>
          {statusText[status]}
        </Text>
        {error !== undefined && <ProblemAlert error={error} testId="assist-error" />}
        <Box>
          <Heading as="h3" variant="heading50">
            Suggestions
          </Heading>
          <SuggestionList suggestions={suggestions} />
        </Box>
        <Box>
          <Heading as="h3" variant="heading50">
            Transcript
          </Heading>
          <TranscriptList lines={transcript} />
        </Box>
      </Stack>
    </Box>
  );
};
