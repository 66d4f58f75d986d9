import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { AuditController } from '../audit/audit.controller';
import { EnvironmentsController } from '../environments/environments.controller';
import { IntakeController } from '../intake/intake.controller';
import { PromotionsController } from '../promotions/promotions.controller';
import { ReleasesController } from '../releases/releases.controller';
import { buildOpenApiDocument, ROUTES } from './openapi';
import { OpenApiController } from './openapi.controller';

function controllerRoutes(): string[] {
  const routes: string[] = [];
  for (const controller of [EnvironmentsController, ReleasesController, PromotionsController, AuditController, IntakeController, OpenApiController]) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = (controller.prototype as unknown as Record<string, unknown>)[name];
      if (typeof handler !== 'function' || name === 'constructor') continue;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (path === undefined || method === undefined) continue;
      const full = `/${[base, path].filter((p) => p && p !== '/').join('/')}`.replace(/:(\w+)/g, '{$1}');
      routes.push(`${RequestMethod[method].toLowerCase()} ${full}`);
    }
  }
  return routes.sort();
}

describe('OpenAPI document', () => {
  it('documents every route the controllers serve, and nothing else', () => {
    expect(ROUTES.map((r) => `${r.method} ${r.path}`).sort()).toEqual(controllerRoutes());
  });

  it('is OpenAPI 3.1 with request bodies generated from the validation schemas', () => {
    const doc = buildOpenApiDocument('1.2.3') as { openapi: string; info: { version: string }; paths: Record<string, Record<string, any>> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('1.2.3');
    const body = doc.paths['/api/v1/promotions']!.post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['release', 'environment']);
    expect(body.additionalProperties).toBe(false);
    expect(doc.paths['/api/v1/promotions']!.post.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
  });
});
