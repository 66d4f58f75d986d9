export {
  NatsSignerClient,
  SignerClientError,
  signerReplySchema,
  type NatsSignerClientOptions,
  type SignedPayload,
  type SignerClient,
  type SignerClientErrorCode,
  type SignerErrorFactory,
  type SignRequest,
  type TokenProvider,
} from './nats-signer-client';
