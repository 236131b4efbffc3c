// Runs the plugin scripts' test command in this process, the way `twilio flex:plugins:test` calls it: the
// `flex-plugin test` binary re-spawns itself with a `--run-script` flag that it then hands to Jest 27, which
// refuses unknown flags. Extra arguments go to Jest (e.g. `npm test -- --coverage`).
const test = require('@twilio/flex-plugin-scripts/dist/scripts/test').default;

test('--env=jsdom', ...process.argv.slice(2));
