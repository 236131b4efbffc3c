import { Actions } from '@twilio/flex-ui';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import React from 'react';

import { fakeFetch, jsonResponse } from '../../test/fakeFetch';
import { renderWithApi, testApi } from '../../test/render';
import { SuggestReplyButton } from './SuggestReplyButton';

const invokeAction = Actions.invokeAction as jest.Mock;

function showButton(answer: () => ReturnType<typeof jsonResponse>) {
  const { fetch, sent } = fakeFetch(answer);
  renderWithApi(<SuggestReplyButton conversationSid="CH1" />, testApi(fetch));
  fireEvent.click(screen.getByTestId('suggest-reply-button'));
  return sent;
}

describe('SuggestReplyButton', () => {
  beforeEach(() => invokeAction.mockClear());

  test("puts the server's draft into the conversation's message input", async () => {
    const sent = showButton(() => jsonResponse(200, { draft: 'Your refund was sent today.' }));
    await waitFor(() => expect(invokeAction).toHaveBeenCalledTimes(1));
    expect(invokeAction).toHaveBeenCalledWith('SetInputText', { body: 'Your refund was sent today.', conversationSid: 'CH1' });
    expect(sent[0]).toMatchObject({ method: 'POST', url: 'https://server.test/agent/conversations/CH1/draft' });
  });

  test('never sends the draft', async () => {
    showButton(() => jsonResponse(200, { draft: 'Hello!' }));
    await waitFor(() => expect(invokeAction).toHaveBeenCalled());
    expect(invokeAction.mock.calls.map(([name]) => name)).toEqual(['SetInputText']);
  });

  test('shows the problem detail when no model is configured, and fills nothing', async () => {
    showButton(() => jsonResponse(503, { title: 'Unavailable', status: 503, detail: 'No model is configured for drafts.' }));
    expect(await screen.findByTestId('suggest-reply-error')).toHaveTextContent('No model is configured for drafts.');
    expect(invokeAction).not.toHaveBeenCalled();
  });

  test('a forged Flex token is shown as a refused sign-in', async () => {
    showButton(() => jsonResponse(401, { title: 'Unauthorized', status: 401, detail: 'The Flex token is not valid.' }));
    expect(await screen.findByTestId('suggest-reply-error')).toHaveTextContent(
      'Your Flex sign-in was refused (The Flex token is not valid)',
    );
  });

  test('without a conversation there is no button', () => {
    const { fetch } = fakeFetch(() => jsonResponse(200, {}));
    renderWithApi(<SuggestReplyButton />, testApi(fetch));
    expect(screen.queryByTestId('suggest-reply-button')).not.toBeInTheDocument();
  });
});
