import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Every schema imports z from here, so `.openapi()` is available wherever a schema is written.
extendZodWithOpenApi(z);

export { z };
