import type { ContainerInstance } from 'typedi';
import type { RouteSpec } from '../http/route';

/** What a bounded context contributes: its bindings and its routes. Its `<m>.module.ts` is its only wiring. */
export interface AppModule {
  name: string;
  register?(container: ContainerInstance): void;
  routes(container: ContainerInstance): RouteSpec[];
  /** Subscribes event handlers; called once the container is complete. */
  subscribe?(container: ContainerInstance): void;
  /** Start-up work after migrations, before serving (e.g. reconciling state left by a crash). */
  onStart?(container: ContainerInstance): Promise<void>;
}
