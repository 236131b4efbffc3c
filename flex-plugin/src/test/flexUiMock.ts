import React from 'react';

/**
 * Stand-in for the parts of `@twilio/flex-ui` the plugin uses, mapped in place of the real module for tests:
 * Flex itself is the host page and cannot run in Jest.
 */
export const Actions = {
  invokeAction: jest.fn((_name: string, _payload?: unknown) => Promise.resolve()),
};

export const TaskHelper = {
  isCallTask: jest.fn((task: { taskChannelUniqueName?: string }) => task.taskChannelUniqueName === 'voice'),
  isChatBasedTask: jest.fn((task: { taskChannelUniqueName?: string }) =>
    ['chat', 'sms', 'whatsapp'].includes(task.taskChannelUniqueName ?? ''),
  ),
};

const contentStore = () => ({ Content: { add: jest.fn(), remove: jest.fn(), replace: jest.fn() } });

export const TaskCanvasTabs = contentStore();
export const MessageInputActions = contentStore();

export const Tab: React.FC<{ uniqueName?: string; label?: string }> = ({ children }) =>
  React.createElement(React.Fragment, null, children);

/** Flex's HOC gives the selected task; tests pass the task as a prop instead. */
export const withTaskContext = <P>(Component: React.ComponentType<P>) => Component;
