import { ConversationContext, Origin } from '../../services/types';

const doors: Record<Origin['door'], string> = {
  mcp: 'MCP (an AI assistant using the ask_human_agent tool)',
  'gpt-action': 'GPT Action',
  handover: 'AI assistant hand-over',
  channel: 'Directly on a channel',
  voice: 'Voice call',
};

const channels: Record<NonNullable<Origin['channel']>, string> = {
  sms: 'SMS',
  whatsapp: 'WhatsApp',
  chat: 'Chat',
  voice: 'Voice',
};

/** The way in, in words; an unknown value from a newer server is shown as it came. */
export const doorLabel = (door: string): string => doors[door as Origin['door']] ?? door;

export const channelLabel = (channel: string): string => channels[channel as NonNullable<Origin['channel']>] ?? channel;

/** Whether the customer's assistant is still on the line, was told `pending`, or nothing waits. */
export function assistantSentence(assistant: ConversationContext['assistant']): string {
  switch (assistant) {
    case 'waiting':
      return 'Their assistant is still waiting on the line for your answer.';
    case 'pending':
      return 'Their assistant was told “pending” and will fetch your answer later.';
    default:
      return 'No assistant waits: the customer reads your answer on their channel.';
  }
}

/** The customer's verified identity, or that they gave only a name. */
export function verifiedSentence(verified: ConversationContext['customer']['verified']): string {
  return verified ? `Verified ${verified.kind}: ${verified.value}` : 'Not verified (only the name their assistant gave).';
}
