import { z } from 'zod';
import { idSchema } from './ids';

/** One `POST /api/v1/dell/discover`: its sites, what it swept, and progress counters. */
export type DiscoveryRun = {
  id: string;
  site_ids: string[];
  status: 'running' | 'succeeded' | 'failed';
  total: number;
  probed: number;
  found: number;
  unreachable: number;
  errors: number;
  /** Endpoints created or updated by this run. */
  endpoints_created: number;
  endpoints_updated: number;
  trigger: 'api' | 'schedule';
  created_at: string;
  /** Last progress written by a worker. */
  updated_at?: string;
  finished_at?: string;
  /** Shown (never stored) when a running sweep made no progress for longer than a message can live. */
  stalled?: string;
  created_by: string;
  version: number;
};

export const DiscoverRequest = z.strictObject({
  site_ids: z.array(idSchema('site')).min(1).max(50),
});
