import { Box } from '@twilio-paste/core/box';
import { Button } from '@twilio-paste/core/button';
import { Card } from '@twilio-paste/core/card';
import { Heading } from '@twilio-paste/core/heading';
import { Stack } from '@twilio-paste/core/stack';
import { Text } from '@twilio-paste/core/text';
import React from 'react';

import { ProblemAlert } from '../common/ProblemAlert';
import { ContextDetails } from './ContextDetails';
import { useConversationContext } from './useConversationContext';

/** The messaging task's customer context: where they came from, what the AI said and why, how long they wait. */
export const ContextCard: React.FC<{ conversationSid: string }> = ({ conversationSid }) => {
  const { context, receivedAt, error, loading, refresh } = useConversationContext(conversationSid);
  return (
    <Box padding="space40" data-testid="context-card">
      <Card padding="space50">
        <Stack orientation="vertical" spacing="space40">
          <Box display="flex" justifyContent="space-between" alignItems="center">
            <Heading as="h3" variant="heading40" marginBottom="space0">
              Customer context
            </Heading>
            <Button variant="secondary" size="small" onClick={refresh} loading={loading} data-testid="context-refresh">
              Refresh
            </Button>
          </Box>
          {error !== undefined && <ProblemAlert error={error} testId="context-error" />}
          {context ? (
            <ContextDetails context={context} receivedAt={receivedAt} />
          ) : (
            !error && <Text as="p">Loading…</Text>
          )}
        </Stack>
      </Card>
    </Box>
  );
};
