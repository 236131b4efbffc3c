import { Box } from '@twilio-paste/core/box';
import { Text } from '@twilio-paste/core/text';
import React from 'react';

import { ConversationContext } from '../../services/types';
import { formatClock, formatDuration, useNow } from '../common/time';
import { assistantSentence, channelLabel, doorLabel, verifiedSentence } from './describe';

const Row: React.FC<{ label: string; testId: string }> = ({ label, testId, children }) => (
  <Box display="flex" columnGap="space30" marginBottom="space20">
    <Box flexShrink={0} width="size10">
      <Text as="span" color="colorTextWeak">
        {label}
      </Text>
    </Box>
    <Text as="span" data-testid={testId}>
      {children}
    </Text>
  </Box>
);

const Section: React.FC<{ title: string }> = ({ title, children }) => (
  <Box marginBottom="space40">
    <Text as="h4" fontWeight="fontWeightSemibold" marginBottom="space20">
      {title}
    </Text>
    {children}
  </Box>
);

/** The fields of a loaded context; the waiting time ticks on from when the context arrived. */
export const ContextDetails: React.FC<{ context: ConversationContext; receivedAt: number }> = ({ context, receivedAt }) => {
  const { customer, origin, handoff, aiMessages, waitingSince, waitedSeconds, assistant, queue } = context;
  const waiting = waitedSeconds !== null && waitedSeconds !== undefined;
  const now = useNow(1000, waiting);
  return (
    <Box>
      <Section title="Customer">
        <Row label="Name" testId="context-name">{customer.name ?? 'No name given'}</Row>
        <Row label="Identity" testId="context-verified">{verifiedSentence(customer.verified)}</Row>
      </Section>
      <Section title="Came from">
        <Row label="Way in" testId="context-door">{doorLabel(origin.door)}</Row>
        {origin.channel && <Row label="Channel" testId="context-channel">{channelLabel(origin.channel)}</Row>}
        {origin.client && <Row label="MCP client" testId="context-client">{origin.client}</Row>}
        {origin.keyName && <Row label="API key" testId="context-key">{origin.keyName}</Row>}
      </Section>
      <Section title="AI hand-off">
        {handoff ? (
          <>
            <Row label="Reason" testId="context-reason">{handoff.reason ?? 'No reason given'}</Row>
            <Row label="Summary" testId="context-summary">{handoff.summary ?? 'No summary given'}</Row>
          </>
        ) : (
          <Text as="p" data-testid="context-no-handoff">No AI handed this customer off.</Text>
        )}
      </Section>
      <Section title="What the AI said">
        {aiMessages.length === 0 ? (
          <Text as="p" data-testid="context-no-ai-messages">The AI said nothing to this customer.</Text>
        ) : (
          <Box as="ul" margin="space0" paddingLeft="space50">
            {aiMessages.map((message, index) => (
              <Box as="li" key={`${message.at}-${index}`} data-testid="context-ai-message">
                <Text as="span">{message.text}</Text>{' '}
                <Text as="span" color="colorTextWeak">({formatClock(message.at)})</Text>
              </Box>
            ))}
          </Box>
        )}
      </Section>
      <Section title="Waiting">
        <Row label="Customer" testId="context-waited">
          {waiting
            ? `Waiting for ${formatDuration(waitedSeconds + (now - receivedAt) / 1000)}${waitingSince ? ` (since ${formatClock(waitingSince)})` : ''}`
            : 'Their last message is answered.'}
        </Row>
        <Row label="Assistant" testId="context-assistant">{assistantSentence(assistant)}</Row>
        {queue && (
          <Row label="Told" testId="context-queue">
            {[
              queue.position !== null && queue.position !== undefined ? `place ${queue.position} in the queue` : null,
              queue.expected_wait_seconds !== null && queue.expected_wait_seconds !== undefined
                ? `about ${formatDuration(queue.expected_wait_seconds)} to wait`
                : null,
            ]
              .filter(Boolean)
              .join(', ')}
            {queue.told_at ? ` (at ${formatClock(queue.told_at)})` : ''}
          </Row>
        )}
      </Section>
    </Box>
  );
};
