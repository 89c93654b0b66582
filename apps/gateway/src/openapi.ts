import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export function buildOpenApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('facesearch API')
    .setDescription(
      'Self-hosted, multi-tenant face search. Tenant API keys (`Authorization: Bearer fsk_…`) carry a role: integrator, admin or auditor; the operator token manages tenants. Errors are application/problem+json with an errorId.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A tenant API key or the operator token' })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Serves the document at /openapi.json and a browsable UI at /docs. */
export function mountOpenApi(app: INestApplication): OpenAPIObject {
  const document = buildOpenApi(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
  return document;
}
