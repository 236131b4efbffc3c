/** What the server answers when assist starts or stops for a call. */
export interface AssistState {
  callSid: string;
  streamSid: string;
  status: 'started' | 'stopped';
}

/** One transcript line of a call, from the customer's or the agent's track. */
export interface TranscriptEvent {
  kind: 'transcript';
  id?: string;
  speaker: 'customer' | 'agent';
  text: string;
}

/** The model's answer to a question the customer asked. */
export interface SuggestionEvent {
  kind: 'suggestion';
  id?: string;
  question: string;
  answer: string;
}

export type CallEvent = TranscriptEvent | SuggestionEvent;

/** How the customer reached the server. */
export interface Origin {
  door: 'mcp' | 'gpt-action' | 'handover' | 'channel' | 'voice';
  channel: 'sms' | 'whatsapp' | 'chat' | 'voice' | null;
  client: string | null;
  keyName: string | null;
}

/** What the agent needs to know about a messaging task's customer before answering. */
export interface ConversationContext {
  conversationSid: string;
  customer: { name: string | null; verified: { kind: string; value: string } | null };
  origin: Origin;
  handoff: { reason: string | null; summary: string | null } | null;
  aiMessages: { text: string; at: string }[];
  waitingSince: string | null;
  waitedSeconds: number | null;
  assistant: 'waiting' | 'pending' | 'none';
  queue: { position: number | null; expected_wait_seconds: number | null; told_at: string | null } | null;
}
