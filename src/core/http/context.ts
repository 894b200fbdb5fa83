import type { Logger } from '../logger';

// Typed additions to every Koa context, set by the first middlewares of the pipeline.
declare module 'koa' {
  interface DefaultState {
    requestId: string;
  }
  interface DefaultContext {
    log: Logger;
  }
}

export {};
