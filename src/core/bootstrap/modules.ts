import type { AppModule } from './module';

/** Every bounded context of the API, in registration order. */
export const APP_MODULES: AppModule[] = [];
