import { PROMOTION_STATES } from '@stella/contracts';
import { z } from 'zod';
import { errorCatalogue } from '../common/errors';
import { Scope } from '../common/scopes';
import { createComponentBody } from '../components/usecases/create-component/create-component.command';
import { createEnvironmentBody } from '../environments/usecases/create-environment/create-environment.command';
import { updateEnvironmentBody } from '../environments/usecases/update-environment/update-environment.command';
import { promotionPathSchema } from '../environments/environment.model';
import { approvePromotionBody } from '../promotions/usecases/approve-promotion/approve-promotion.command';
import { cancelPromotionBody } from '../promotions/usecases/cancel-promotion/cancel-promotion.command';
import { rejectPromotionBody } from '../promotions/usecases/reject-promotion/reject-promotion.command';
import { reportDeploymentBody } from '../promotions/usecases/report-deployment/report-deployment.command';
import { requestPromotionBody } from '../promotions/usecases/request-promotion/request-promotion.command';
import { rollbackEnvironmentBody } from '../promotions/usecases/rollback-environment/rollback-environment.command';
import { createReleaseBody } from '../releases/usecases/create-release/create-release.command';
import { registryNotificationSchema } from '../intake/registry-notification';

const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/);
const time = z.iso.datetime();

/** Response shapes, for the document only (the code's views are TypeScript interfaces of the same shape). */
const releaseView = z.object({
  id: digest.meta({ description: 'sha256 of the canonical release manifest: the identity' }),
  name: z.string(),
  version: z.string(),
  manifestDigest: digest,
  manifest: z.object({
    schema: z.string(),
    name: z.string(),
    version: z.string(),
    components: z.array(z.object({ name: z.string(), repository: z.string(), digest })),
  }),
  components: z.array(
    z.object({
      name: z.string(),
      repository: z.string(),
      digest,
      mediaType: z.string(),
      tag: z.string().optional(),
      platforms: z.array(z.object({ platform: z.string(), digest })),
    }),
  ),
  origin: z.enum(['api', 'registry-notification']),
  createdAt: time,
  createdBy: z.string(),
});
const gateEvaluation = z.object({
  name: z.string(),
  result: z.enum(['pass', 'fail', 'warn', 'pending']),
  reasons: z.array(z.string()),
  evidence: z.array(z.object({ name: z.string(), digest })),
});
const transition = z.object({
  seq: z.int(),
  from: z.enum(PROMOTION_STATES).nullable(),
  to: z.enum(PROMOTION_STATES),
  at: time,
  actor: z.string(),
  reason: z.string().optional(),
  decisionId: z.string().optional(),
});
const promotionView = z.object({
  id: z.uuid(),
  kind: z.enum(['promotion', 'rollback']),
  state: z.enum(PROMOTION_STATES),
  release: z.object({ id: digest, name: z.string(), version: z.string() }),
  environment: z.string(),
  requestedBy: z.string(),
  requestedAt: time,
  comment: z.string().optional(),
  breakGlass: z.object({ by: z.string(), reason: z.string(), at: time }).optional(),
  decisionId: z.string().optional(),
  lastEvaluation: z.object({ evaluatedAt: time, verdict: z.enum(['allow', 'deny', 'pending']), gates: z.array(gateEvaluation) }).optional(),
  approvals: z.array(z.object({ approver: z.string(), time, comment: z.string().optional() })),
  transitions: z.array(transition),
  updatedAt: time,
});
const environmentView = createEnvironmentBody.omit({ position: true, name: true, displayName: true }).extend({
  name: z.string(),
  displayName: z.string(),
  position: z.int(),
  policyDigest: digest,
  version: z.int(),
  createdAt: time,
  createdBy: z.string(),
  updatedAt: time,
});
const deployment = z.object({
  environment: z.string(),
  release: z.object({ id: digest, name: z.string(), version: z.string() }),
  promotionId: z.uuid(),
  kind: z.enum(['promotion', 'rollback']),
  deployedAt: time,
  supersededAt: time.optional(),
  components: z.array(z.object({ name: z.string(), repository: z.string(), digest })),
});
const page = (item: z.ZodType) => z.object({ items: z.array(item), nextCursor: z.string().optional() });

interface Route {
  method: 'get' | 'post' | 'put' | 'patch';
  path: string;
  summary: string;
  scopes?: string[];
  body?: z.ZodType;
  status: number;
  response?: z.ZodType;
  query?: string[];
  idempotent?: boolean;
  public?: boolean;
}

export const ROUTES: Route[] = [
  { method: 'get', path: '/api/v1/environments', summary: 'Environments in path order, with the promotion path', scopes: [Scope.read], status: 200, response: z.object({ items: z.array(environmentView), path: promotionPathSchema.extend({ version: z.int() }) }) },
  { method: 'post', path: '/api/v1/environments', summary: 'Create an environment (appended to the path unless position is given)', scopes: [Scope.admin], body: createEnvironmentBody, status: 201, response: environmentView, idempotent: true },
  { method: 'get', path: '/api/v1/environments/{name}', summary: 'One environment and its policy', scopes: [Scope.read], status: 200, response: environmentView },
  { method: 'patch', path: '/api/v1/environments/{name}', summary: "Change an environment's policy", scopes: [Scope.admin], body: updateEnvironmentBody, status: 200, response: environmentView },
  { method: 'get', path: '/api/v1/environments/{name}/history', summary: 'Deployments into the environment, newest first', scopes: [Scope.read], status: 200, response: page(deployment), query: ['limit', 'cursor'] },
  { method: 'post', path: '/api/v1/environments/{name}/rollback', summary: 'Promote an earlier release back (same gates, kind rollback)', scopes: [Scope.promote], body: rollbackEnvironmentBody, status: 201, response: promotionView, idempotent: true },
  { method: 'get', path: '/api/v1/promotion-path', summary: 'The ordered promotion path', scopes: [Scope.read], status: 200, response: promotionPathSchema.extend({ version: z.int() }) },
  { method: 'put', path: '/api/v1/promotion-path', summary: 'Reorder the path (every environment exactly once)', scopes: [Scope.admin], body: promotionPathSchema, status: 200, response: promotionPathSchema.extend({ version: z.int() }) },
  { method: 'get', path: '/api/v1/components', summary: 'Components (names bound to repositories)', scopes: [Scope.read], status: 200 },
  { method: 'post', path: '/api/v1/components', summary: 'Register a component', scopes: [Scope.write], body: createComponentBody, status: 201, idempotent: true },
  { method: 'post', path: '/api/v1/releases', summary: 'Create an immutable release; tags are resolved to digests through the registry', scopes: [Scope.write], body: createReleaseBody, status: 201, response: releaseView, idempotent: true },
  { method: 'get', path: '/api/v1/releases', summary: 'Releases, newest first', scopes: [Scope.read], status: 200, response: page(releaseView), query: ['name', 'limit', 'cursor'] },
  { method: 'get', path: '/api/v1/releases/{id}', summary: 'A release by identity (sha256:…)', scopes: [Scope.read], status: 200, response: releaseView },
  { method: 'get', path: '/api/v1/releases/{name}/versions/{version}', summary: 'A release by name and version', scopes: [Scope.read], status: 200, response: releaseView },
  { method: 'post', path: '/api/v1/promotions', summary: 'Request a promotion; gates run at once. A denial answers the failing gate’s problem (the rejection is recorded)', scopes: [Scope.promote], body: requestPromotionBody, status: 201, response: promotionView, idempotent: true },
  { method: 'get', path: '/api/v1/promotions', summary: 'Promotions, newest first', scopes: [Scope.read], status: 200, response: page(promotionView), query: ['environment', 'state', 'release', 'limit', 'cursor'] },
  { method: 'get', path: '/api/v1/promotions/{id}', summary: 'A promotion with its approvals and every transition', scopes: [Scope.read], status: 200, response: promotionView },
  { method: 'get', path: '/api/v1/promotions/{id}/transitions/stream', summary: 'Server-sent events: the transitions after ?afterSeq=, then each new one; ends after a final state', scopes: [Scope.read], status: 200, query: ['afterSeq'] },
  { method: 'post', path: '/api/v1/promotions/{id}/approvals', summary: 'Approve (separation of duties, distinct approvers, approver roles apply)', scopes: [Scope.approve], body: approvePromotionBody, status: 201, response: promotionView, idempotent: true },
  { method: 'post', path: '/api/v1/promotions/{id}/rejection', summary: 'Reject (deny decision recorded)', scopes: [Scope.approve], body: rejectPromotionBody, status: 200, response: promotionView, idempotent: true },
  { method: 'post', path: '/api/v1/promotions/{id}/cancellation', summary: 'Cancel before deployment', scopes: [Scope.promote], body: cancelPromotionBody, status: 200, response: promotionView, idempotent: true },
  { method: 'post', path: '/api/v1/promotions/{id}/deployment', summary: 'Report the end of a deployment (deployed or failed)', scopes: [Scope.deploy], body: reportDeploymentBody, status: 200, response: promotionView, idempotent: true },
  { method: 'get', path: '/api/v1/decisions/{id}', summary: 'A decision record (decision-record predicate v1)', scopes: [Scope.read], status: 200 },
  { method: 'get', path: '/api/v1/inventory', summary: 'What runs in each environment, now or at ?at=', scopes: [Scope.read], status: 200, query: ['at'], response: z.object({ at: time.nullable(), environments: z.array(z.object({ name: z.string(), running: deployment.optional() })) }) },
  { method: 'get', path: '/api/v1/inventory/digests/{digest}', summary: 'Where an image digest runs, now or at ?at=', scopes: [Scope.read], status: 200, query: ['at'], response: z.object({ digest, at: time.nullable(), deployments: z.array(deployment) }) },
  { method: 'get', path: '/api/v1/audit', summary: 'Audit chain entries after ?afterSeq=', scopes: [Scope.audit], status: 200, query: ['afterSeq', 'limit'] },
  { method: 'get', path: '/api/v1/audit/verify', summary: 'Verify the audit chain; names the first broken entry', scopes: [Scope.audit], status: 200 },
  { method: 'post', path: '/api/v1/intake/registry-notifications', summary: 'Distribution notifications (Authorization: Bearer <shared secret>)', body: registryNotificationSchema, status: 202, public: true },
  { method: 'get', path: '/openapi.json', summary: 'This document', status: 200, public: true },
];

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** OpenAPI 3.1, generated from the same zod schemas that validate requests. */
export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const parameters: unknown[] = [];
    for (const match of route.path.matchAll(/\{(\w+)\}/g)) {
      parameters.push({ name: match[1], in: 'path', required: true, schema: { type: 'string' } });
    }
    for (const name of route.query ?? []) parameters.push({ name, in: 'query', required: false, schema: { type: 'string' } });
    if (route.idempotent) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Same key and body: the stored answer is replayed (Idempotent-Replayed: true); same key, other body: 422',
        schema: { type: 'string', maxLength: 255 },
      });
    }
    const operation: Record<string, unknown> = {
      summary: route.summary,
      operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(\w)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.public ? { security: [] } : { security: [{ bearer: route.scopes ?? [] }] }),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }
        : {}),
      responses: {
        [String(route.status)]: {
          description: 'Success',
          ...(route.response ? { content: { 'application/json': { schema: jsonSchema(route.response, 'output') } } } : {}),
        },
        default: { description: 'Error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
    };
    const path = (paths[route.path] ??= {});
    path[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Stella Ops orchestrator',
      version,
      description: 'Release control plane: environments, digest-pinned releases, promotions, approvals, decision records, inventory, audit chain.',
    },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (RFC 9068 at+jwt from the authority)' } },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            code: { type: 'string', enum: errorCatalogue().map((e) => e.code) },
          },
        },
      },
    },
  };
}
