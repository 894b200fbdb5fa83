import type { ContainerInstance } from 'typedi';
import type { RouteSpec } from '../../../core/http/route';

/** Platform-admin routes over the same use cases as the scripts (added with the HTTP surface). */
export function lifecycleRoutes(_container: ContainerInstance): RouteSpec[] {
  return [];
}
