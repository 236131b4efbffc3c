// `flex-plugin test` builds its Jest configuration and passes it here to adjust.
module.exports = (config) => ({
  ...config,
  moduleNameMapper: {
    ...config.moduleNameMapper,
    // Flex UI is the host application: tests meet it at its module boundary, through a small stand-in.
    '^@twilio/flex-ui$': '<rootDir>/src/test/flexUiMock.ts',
    // Paste's icons ship ES modules for bundlers and CommonJS for Node.
    '^@twilio-paste/icons/esm/(.*)$': '@twilio-paste/icons/cjs/$1',
  },
  testMatch: ['<rootDir>/src/**/*.test.{ts,tsx}'],
});
