export { DEFAULT_TEST_DATABASE_URL, DEFAULT_TEST_NATS_URL, testDatabaseUrl, testNatsUrl } from './env';
export { createTestSchema, type TestSchema } from './postgres';
export { createTestNatsPrefix, type TestNatsPrefix, type CleanupTarget } from './nats';
export { bootTestApp, type TestAppOptions } from './app';
export {
  startTestRegistry,
  pushTestImage,
  type TestRegistry,
  type TestRegistryAuth,
  type StartTestRegistryOptions,
  type PushTestImageOptions,
  type PushedTestImage,
  type TestPlatform,
} from './registry';
export {
  createTestTokenIssuer,
  TEST_TOKEN_ISSUER,
  TEST_TOKEN_AUDIENCE,
  type TestTokenClaims,
  type TestTokenIssuer,
} from './tokens';
export {
  startTestS3,
  TEST_S3_ACCESS_KEY,
  TEST_S3_SECRET_KEY,
  type TestS3,
  type StartTestS3Options,
} from './s3';
export { migrateTestSchema, loadServiceBuild } from './migrate';
export { testServiceConfig, type TestServiceConfig } from './service-config';
