import * as FlexPlugin from '@twilio/flex-plugin';

import AgentAssistPlugin from './AgentAssistPlugin';

FlexPlugin.loadPlugin(AgentAssistPlugin);
