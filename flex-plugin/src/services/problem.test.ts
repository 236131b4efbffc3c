import { AgentApiError, describeError } from './problem';

describe('describeError', () => {
  test('a refused Flex token says the sign-in was refused, with the detail', () => {
    expect(describeError(new AgentApiError(401, { detail: 'The token has expired.' }))).toBe(
      'Your Flex sign-in was refused (The token has expired). Sign in to Flex again.',
    );
  });

  test('a token without an agent role says so', () => {
    expect(describeError(new AgentApiError(403, { detail: 'No agent, supervisor or admin role.' }))).toContain(
      'Your Flex role may not use the agent assistant (No agent, supervisor or admin role).',
    );
  });

  test('other problems show their detail and when to try again', () => {
    expect(describeError(new AgentApiError(503, { title: 'Unavailable', detail: 'Tokens cannot be checked now.', retryAfterSeconds: 5 }))).toBe(
      'Tokens cannot be checked now. Try again in 5 s.',
    );
  });

  test('a problem without detail falls back to its title, then to its status', () => {
    expect(describeError(new AgentApiError(404, { title: 'Not Found' }))).toBe('Not Found');
    expect(describeError(new AgentApiError(502))).toBe('The agent server answered 502.');
  });
});
