import type { HookBatch, HookFunction, HookPoint, HookRegistry } from '@hookspell/hooks';

/** One check of the workload. */
export interface Check {
  name: string;
  /** argv, or a shell command line when `shell` is true. */
  command: string | string[];
  shell?: boolean;
  dependsOn?: string[];
  mutates?: boolean;
  critical?: boolean;
}

export declare const POINT: HookPoint;
export declare const CHECKS: readonly Check[];
export declare function checkHook(check: Check, dir: string): HookFunction;
export declare function registerChecks(registry: HookRegistry, dir: string, point?: HookPoint): HookBatch;
export declare function prepareWorkspace(): { dir: string; remove(): void };
