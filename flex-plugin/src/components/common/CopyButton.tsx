import { Button } from '@twilio-paste/core/button';
import { CopyIcon } from '@twilio-paste/icons/esm/CopyIcon';
import React, { useEffect, useState } from 'react';

/** Copies a text to the clipboard and says so for a moment. */
export const CopyButton: React.FC<{ text: string; testId: string }> = ({ text, testId }) => {
  const [result, setResult] = useState<'copied' | 'failed'>();

  useEffect(() => {
    if (!result) {
      return undefined;
    }
    const timer = setTimeout(() => setResult(undefined), 2000);
    return () => clearTimeout(timer);
  }, [result]);

  const copy = () => {
    // The clipboard exists only in secure contexts; Flex runs on https, but say so rather than fail silently.
    const write = navigator.clipboard?.writeText(text) ?? Promise.reject(new Error('no clipboard'));
    write.then(
      () => setResult('copied'),
      () => setResult('failed'),
    );
  };

  return (
    <Button variant="secondary" size="small" onClick={copy} data-testid={testId}>
      <CopyIcon decorative />
      {result === 'copied' ? 'Copied' : result === 'failed' ? 'Copy failed' : 'Copy'}
    </Button>
  );
};
