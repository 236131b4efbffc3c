import { Box } from '@twilio-paste/core/box';
import { Card } from '@twilio-paste/core/card';
import { Text } from '@twilio-paste/core/text';
import React from 'react';

import { SuggestionEvent } from '../../services/types';
import { CopyButton } from '../common/CopyButton';

/** The model's suggestions, newest first, each with the customer's question and a copy button. */
export const SuggestionList: React.FC<{ suggestions: SuggestionEvent[] }> = ({ suggestions }) => {
  if (suggestions.length === 0) {
    return <Text as="p" color="colorTextWeak">No suggestion yet: they appear when the customer asks something.</Text>;
  }
  return (
    <Box as="ul" margin="space0" padding="space0" listStyleType="none" data-testid="assist-suggestions">
      {[...suggestions].reverse().map((suggestion, index) => (
        <Box as="li" key={suggestion.id ?? `s${suggestions.length - index}`} marginTop="space30" data-testid="assist-suggestion">
          <Card padding="space40">
            {suggestion.question && (
              <Text as="p" fontWeight="fontWeightSemibold" data-testid="suggestion-question">
                Customer asked: {suggestion.question}
              </Text>
            )}
            <Text as="p" marginY="space30" data-testid="suggestion-answer">
              {suggestion.answer}
            </Text>
            <CopyButton text={suggestion.answer} testId="suggestion-copy" />
          </Card>
        </Box>
      ))}
    </Box>
  );
};
