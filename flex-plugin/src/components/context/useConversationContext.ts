import { useCallback, useEffect, useRef, useState } from 'react';

import { ConversationContext } from '../../services/types';
import { useAgentApi } from '../common/AgentApiContext';

/** A loaded context and when it arrived (Date.now()), so the waiting time can go on from there. */
export interface LoadedContext {
  context?: ConversationContext;
  receivedAt: number;
  error?: unknown;
  loading: boolean;
  refresh: () => void;
}

/** Loads a conversation's context while mounted; a newer load or unmounting aborts the one in flight. */
export function useConversationContext(conversationSid: string): LoadedContext {
  const api = useAgentApi();
  const [state, setState] = useState<Omit<LoadedContext, 'refresh'>>({ receivedAt: 0, loading: true });
  const inFlight = useRef<AbortController>();

  const refresh = useCallback(() => {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    api.getConversationContext(conversationSid, controller.signal).then(
      (context) => !controller.signal.aborted && setState({ context, receivedAt: Date.now(), loading: false }),
      (error) => !controller.signal.aborted && setState((s) => ({ ...s, error, loading: false })),
    );
  }, [api, conversationSid]);

  useEffect(() => {
    refresh();
    return () => inFlight.current?.abort();
  }, [refresh]);

  return { ...state, refresh };
}
