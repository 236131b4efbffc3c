/** The parts of a Flex task the plugin reads (Flex's ITask has them all). */
export interface TaskLike {
  attributes?: Record<string, unknown>;
  conference?: { participants?: { participantType?: string; callSid?: string }[] };
}

/** The customer's call SID: the conference's customer participant, else the task's `call_sid` attribute. */
export function customerCallSid(task: TaskLike | undefined): string | undefined {
  const customer = task?.conference?.participants?.find((p) => p.participantType === 'customer');
  if (customer?.callSid) {
    return customer.callSid;
  }
  const attribute = task?.attributes?.call_sid;
  return typeof attribute === 'string' && attribute ? attribute : undefined;
}

/** The task's conversation SID: `conversationSid`, else `conversations.conversation_id`. */
export function taskConversationSid(task: TaskLike | undefined): string | undefined {
  const direct = task?.attributes?.conversationSid;
  if (typeof direct === 'string' && direct) {
    return direct;
  }
  const conversations = task?.attributes?.conversations as { conversation_id?: unknown } | undefined;
  return typeof conversations?.conversation_id === 'string' && conversations.conversation_id ? conversations.conversation_id : undefined;
}
