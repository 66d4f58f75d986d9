import { Controller, Get, Inject } from '@nestjs/common';
import { Public } from '@stella/auth';
import { STELLA_BUILD_INFO, type BuildInfo } from '@stella/platform';
import { buildOpenApiDocument } from './openapi';

@Controller()
export class OpenApiController {
  private readonly document: Record<string, unknown>;

  constructor(@Inject(STELLA_BUILD_INFO) build: BuildInfo) {
    this.document = buildOpenApiDocument(build.version);
  }

  @Get('openapi.json')
  @Public()
  openapi(): Record<string, unknown> {
    return this.document;
  }
}
