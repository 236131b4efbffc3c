import { Box } from '@twilio-paste/core/box';
import { Text } from '@twilio-paste/core/text';
import React from 'react';

import { TranscriptEvent } from '../../services/types';

const speakerLabel = { customer: 'Customer', agent: 'Agent' } as const;

/** The call's transcript, oldest line first, each labelled with who spoke. */
export const TranscriptList: React.FC<{ lines: TranscriptEvent[] }> = ({ lines }) => {
  if (lines.length === 0) {
    return <Text as="p" color="colorTextWeak">Nothing said yet.</Text>;
  }
  return (
    <Box as="ol" margin="space0" padding="space0" listStyleType="none" data-testid="assist-transcript">
      {lines.map((line, index) => (
        <Box as="li" key={line.id ?? `t${index}`} marginTop="space20" data-testid="transcript-line" data-speaker={line.speaker}>
          <Text as="span" fontWeight="fontWeightSemibold">
            {speakerLabel[line.speaker]}:
          </Text>{' '}
          <Text as="span">{line.text}</Text>
        </Box>
      ))}
    </Box>
  );
};
