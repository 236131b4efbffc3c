import { render } from '@testing-library/react';
import { Theme } from '@twilio-paste/core/theme';
import React from 'react';

import { AgentApiProvider } from '../components/common/AgentApiContext';
import { AgentApi, createAgentApi } from '../services/agentApi';

/** The real client over a mocked fetch, as the components use it in Flex. */
export const testApi = (fetch: typeof globalThis.fetch, token = 'flex-token'): AgentApi =>
  createAgentApi({ baseUrl: 'https://server.test', getToken: () => token, fetch });

/** Renders inside Paste's theme (Flex provides one) with the given client. */
export function renderWithApi(ui: React.ReactElement, api: AgentApi) {
  return render(
    <Theme.Provider theme="default">
      <AgentApiProvider value={api}>{ui}</AgentApiProvider>
    </Theme.Provider>,
  );
}
