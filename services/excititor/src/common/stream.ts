import { defineStream } from '@stella/bus';

/** JetStream stream of VEX events (`<prefix>.vex.>`). Never rename: consumers bind to it by name. */
export const VEX_STREAM = defineStream({
  name: 'VEX',
  subjects: ['vex.>'],
  maxAgeDays: 7,
  description: 'VEX consensus changes from excititor',
});
