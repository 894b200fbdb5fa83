import fs from 'node:fs';
import path from 'node:path';
import type { RouteRegistry } from './route-registry';
import { defineRoute, type RouteSpec } from './route';
import { z } from './zod';

const ASSETS = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
} as const;
type Asset = keyof typeof ASSETS;

const page = (base: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>API documentation</title>
  <link rel="stylesheet" href="${base}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${base}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${base}/swagger-ui-bundle.js"></script>
  <script src="${base}/swagger-ui-standalone-preset.js"></script>
  <script src="${base}/init.js"></script>
</body>
</html>`;

// A file of our own rather than an inline script, so the CSP can forbid inline scripts.
const init = (specUrl: string) =>
  `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: '#swagger-ui', deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });\n`;

/** The OpenAPI document and a self-hosted Swagger UI (no CDN). */
export function docsRoutes(registry: RouteRegistry, apiPrefix: string, basePath: string): RouteSpec[] {
  const docsBase = `${apiPrefix === '/' ? '' : apiPrefix}/docs`;
  const specUrl = `${basePath}/openapi.json`;
  const assetDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const assets = new Map<Asset, Buffer>();
  const load = (name: Asset) => {
    if (!assets.has(name)) assets.set(name, fs.readFileSync(path.join(assetDir, name)));
    return assets.get(name)!;
  };
  return [
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      tags: ['Docs'],
      summary: 'OpenAPI 3 document of this API',
      auth: 'public',
      response: { status: 200, description: 'The document', raw: { contentType: 'application/json' } },
      handler: async () => registry.openApiDocument(),
    }),
    defineRoute({
      method: 'get',
      path: docsBase,
      absolute: true,
      tags: ['Docs'],
      summary: 'Swagger UI',
      auth: 'public',
      response: { status: 200, description: 'HTML page', raw: { contentType: 'text/html; charset=utf-8' } },
      handler: async () => page(docsBase),
    }),
    defineRoute({
      method: 'get',
      path: `${docsBase}/init.js`,
      absolute: true,
      tags: ['Docs'],
      summary: 'Swagger UI start-up script',
      auth: 'public',
      response: { status: 200, description: 'Script', raw: { contentType: 'application/javascript; charset=utf-8' } },
      handler: async () => init(specUrl),
    }),
    defineRoute({
      method: 'get',
      path: `${docsBase}/:asset`,
      absolute: true,
      tags: ['Docs'],
      summary: 'Swagger UI static assets',
      auth: 'public',
      request: { params: z.strictObject({ asset: z.enum(Object.keys(ASSETS) as [Asset, ...Asset[]]) }) },
      response: { status: 200, description: 'Asset', raw: { contentType: 'application/octet-stream' } },
      handler: async ({ params }, ctx) => {
        ctx.set('Cache-Control', 'public, max-age=86400');
        const body = load(params.asset);
        ctx.type = ASSETS[params.asset];
        return body;
      },
    }),
  ];
}
