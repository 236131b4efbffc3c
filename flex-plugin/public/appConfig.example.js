// Copy to appConfig.js for `npm start` (local Flex with this plugin). Flex reads this object at start.
var appConfig = {
  pluginService: {
    enabled: true,
    url: '/plugins',
  },
  ytica: false,
  logLevel: 'info',
  showSupervisorDesktopView: true,
};
