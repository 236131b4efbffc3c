import { customerCallSid, taskConversationSid } from './taskIds';

describe('customerCallSid', () => {
  test("is the conference's customer participant's call", () => {
    const task = {
      attributes: { call_sid: 'CA-attribute' },
      conference: { participants: [{ participantType: 'worker', callSid: 'CA-agent' }, { participantType: 'customer', callSid: 'CA-customer' }] },
    };
    expect(customerCallSid(task)).toBe('CA-customer');
  });

  test("falls back to the task's call_sid attribute, and is undefined without either", () => {
    expect(customerCallSid({ attributes: { call_sid: 'CA-attribute' }, conference: { participants: [] } })).toBe('CA-attribute');
    expect(customerCallSid({ attributes: {} })).toBeUndefined();
    expect(customerCallSid(undefined)).toBeUndefined();
  });
});

describe('taskConversationSid', () => {
  test('is the conversationSid attribute, else conversations.conversation_id', () => {
    expect(taskConversationSid({ attributes: { conversationSid: 'CH1', conversations: { conversation_id: 'CH2' } } })).toBe('CH1');
    expect(taskConversationSid({ attributes: { conversations: { conversation_id: 'CH2' } } })).toBe('CH2');
    expect(taskConversationSid({ attributes: {} })).toBeUndefined();
  });
});
