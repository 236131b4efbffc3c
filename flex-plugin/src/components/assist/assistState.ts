import { CallEvent, SuggestionEvent, TranscriptEvent } from '../../services/types';

/** What the Assist tab knows about the call's assist. */
export interface AssistState {
  status: 'connecting' | 'live' | 'off' | 'interrupted';
  transcript: TranscriptEvent[];
  suggestions: SuggestionEvent[];
  error?: unknown;
  busy: boolean;
}

export type AssistAction =
  | { type: 'reset' }
  | { type: 'connecting' }
  | { type: 'live' }
  | { type: 'ended' }
  | { type: 'interrupted'; error: unknown }
  | { type: 'off'; error?: unknown }
  | { type: 'event'; event: CallEvent }
  | { type: 'busy' }
  | { type: 'idle' }
  | { type: 'failed'; error: unknown };

export const initialAssist: AssistState = { status: 'connecting', transcript: [], suggestions: [], busy: false };

export function assistReducer(state: AssistState, action: AssistAction): AssistState {
  switch (action.type) {
    case 'reset':
      return initialAssist;
    case 'connecting':
      return { ...state, status: 'connecting', error: undefined };
    case 'live':
      return { ...state, status: 'live' };
    case 'ended':
      return { ...state, status: 'off' };
    case 'interrupted':
      return { ...state, status: 'interrupted', error: action.error };
    case 'off':
      return { ...state, status: 'off', error: action.error };
    case 'event':
      return action.event.kind === 'transcript'
        ? { ...state, transcript: [...state.transcript, action.event] }
        : { ...state, suggestions: [...state.suggestions, action.event] };
    case 'busy':
      return { ...state, busy: true, error: undefined };
    case 'idle':
      return { ...state, busy: false };
    case 'failed':
      return { ...state, busy: false, error: action.error };
    default:
      return state;
  }
}
