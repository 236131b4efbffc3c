import React, { createContext, useContext } from 'react';

import { AgentApi } from '../../services/agentApi';

const AgentApiContext = createContext<AgentApi | null>(null);

/** Gives the components below it the agent server's client. */
export const AgentApiProvider = AgentApiContext.Provider;

/** The agent server's client given by the nearest AgentApiProvider. */
export function useAgentApi(): AgentApi {
  const api = useContext(AgentApiContext);
  if (!api) {
    throw new Error('The agent assistant components need an AgentApiProvider around them.');
  }
  return api;
}

/** Wraps a component so that it gets the client, passing every prop Flex gives it through. */
export function withAgentApi<P>(Component: React.ComponentType<P>, api: AgentApi): React.FC<P> {
  const WithAgentApi: React.FC<P> = (props) => (
    <AgentApiProvider value={api}>
      <Component {...props} />
    </AgentApiProvider>
  );
  WithAgentApi.displayName = `WithAgentApi(${Component.displayName ?? Component.name})`;
  return WithAgentApi;
}
