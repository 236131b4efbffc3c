import { useCallback, useEffect, useReducer, useRef } from 'react';

import { AgentApiError } from '../../services/problem';
import { useAgentApi } from '../common/AgentApiContext';
import { AssistState, assistReducer, initialAssist } from './assistState';

const isAbort = (error: unknown): boolean => error instanceof Error && error.name === 'AbortError';

/** The state of assist for one call and what the agent can do with it. */
export type CallAssist = AssistState & { start: () => void; stop: () => void; reconnect: () => void };

/**
 * Follows a call's events while mounted (the server replays what was said so far, then live lines) and starts or
 * stops assist. The stream is aborted when the component unmounts or the call changes; a reconnect asks only for
 * events after the last one seen.
 */
export function useCallAssist(callSid: string): CallAssist {
  const api = useAgentApi();
  const [state, dispatch] = useReducer(assistReducer, initialAssist);
  const stream = useRef<AbortController>();
  const lastEventId = useRef<string>();

  const listen = useCallback(() => {
    stream.current?.abort();
    const controller = new AbortController();
    stream.current = controller;
    let opened = false;
    dispatch({ type: 'connecting' });
    api
      .followCallEvents(callSid, {
        signal: controller.signal,
        lastEventId: lastEventId.current,
        onOpen: () => {
          opened = true;
          dispatch({ type: 'live' });
        },
        onEvent: (event) => {
          lastEventId.current = event.id ?? lastEventId.current;
          dispatch({ type: 'event', event });
        },
      })
      .then(
        () => !controller.signal.aborted && dispatch({ type: 'ended' }),
        (error) => {
          if (controller.signal.aborted || isAbort(error)) {
            return;
          }
          if (opened) {
            dispatch({ type: 'interrupted', error });
          } else {
            // A 404 means no assist runs for this call yet: it is simply off, nothing went wrong.
            const notRunning = error instanceof AgentApiError && error.status === 404;
            dispatch({ type: 'off', error: notRunning ? undefined : error });
          }
        },
      );
  }, [api, callSid]);

  useEffect(() => {
    lastEventId.current = undefined;
    dispatch({ type: 'reset' });
    listen();
    return () => stream.current?.abort();
  }, [listen]);

  const start = useCallback(() => {
    dispatch({ type: 'busy' });
    api.startAssist(callSid).then(
      () => {
        dispatch({ type: 'idle' });
        listen();
      },
      (error) => dispatch({ type: 'failed', error }),
    );
  }, [api, callSid, listen]);

  const stop = useCallback(() => {
    dispatch({ type: 'busy' });
    api.stopAssist(callSid).then(
      () => {
        stream.current?.abort();
        dispatch({ type: 'idle' });
        dispatch({ type: 'ended' });
      },
      (error) => dispatch({ type: 'failed', error }),
    );
  }, [api, callSid]);

  return { ...state, start, stop, reconnect: listen };
}
