import { Alert } from '@twilio-paste/core/alert';
import { Text } from '@twilio-paste/core/text';
import React from 'react';

import { describeError } from '../../services/problem';

/** Shows a failed request to the agent as one sentence (the server's problem detail), never a stack or a body. */
export const ProblemAlert: React.FC<{ error: unknown; testId: string }> = ({ error, testId }) => (
  <div data-testid={testId}>
    <Alert variant="error">
      <Text as="span">{describeError(error)}</Text>
    </Alert>
  </div>
);
