import { defineStream } from '@stella/bus';

/**
 * JetStream stream of signer events (`<prefix>.signer.>`). Never rename: consumers bind to it by
 * name. Note the NATS request subject `<prefix>.signer.sign` is core NATS request/reply and is not
 * captured: the stream only takes the event subjects below.
 */
export const SIGNER_STREAM = defineStream({
  name: 'SIGNER',
  subjects: ['signer.signature.>', 'signer.key.>'],
  maxAgeDays: 365,
  description: 'Signature audit events and key lifecycle events from the signer',
});
