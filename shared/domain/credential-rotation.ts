/**
 * A credential rotation: a generated password set on every target of one service identity in the steps of a
 * Secrets Manager rotation function — create the pending secret, set it on each target (the canary first), test
 * each target with it, finish (pending becomes current) — or, when a target refuses, roll every changed target
 * back to the current password and drop the pending one. The record is the rotation's state, written after
 * every step, so a worker that dies mid-way is followed by one that carries on from there.
 */

import { z } from 'zod';

/** `GET /service-identities/{id}/rotations/{rotation_id}`. */
export const RotationPath = z.object({ id: z.string().min(1), rotation_id: z.string().min(1) });

/** Where a rotation is; the last three are final. */
export const ROTATION_STATUSES = [
  'pending',
  'setting',
  'testing',
  'finishing',
  'rolling_back',
  'succeeded',
  'rolled_back',
  'failed',
] as const;
export type RotationStatus = (typeof ROTATION_STATUSES)[number];
export const FINAL_ROTATION_STATUSES: readonly RotationStatus[] = ['succeeded', 'rolled_back', 'failed'];
export const isFinalRotation = (status: RotationStatus) => FINAL_ROTATION_STATUSES.includes(status);

/**
 * One target's progress. `setting` and `rolling_back` are written before the device is asked, so after a crash
 * the next worker knows the device may or may not have the new password and checks which one it accepts.
 */
export type RotationTargetState =
  | 'waiting'
  | 'setting'
  | 'set'
  | 'tested'
  | 'refused'
  | 'rolling_back'
  | 'rolled_back'
  | 'rollback_failed'
  | 'skipped';

export type RotationTarget = {
  /** The record that uses the identity: an iDRAC endpoint id. */
  id: string;
  address: string;
  canary: boolean;
  state: RotationTargetState;
  /** How the password was changed there. */
  protocol?: 'redfish' | 'wsman';
  /** What the device said (never a password). */
  message?: string;
  at?: string;
};

export type CredentialRotation = {
  id: string;
  service_identity_id: string;
  status: RotationStatus;
  /** Names the pending secret version (Secrets Manager's ClientRequestToken), so repeating a step never makes a second password. */
  secret_version_id: string;
  targets: RotationTarget[];
  requested_by: string;
  created_at: string;
  updated_at: string;
  finished_at?: string;
  /** Why it rolled back or failed. */
  reason?: string;
  /** What an operator must do by hand (targets left on an unknown password). */
  manual_steps?: string[];
  version: number;
};

/** The canary is changed and tested alone before any other target is touched. */
export const canaryFirst = (targets: RotationTarget[]) => [...targets].sort((a, b) => Number(b.canary) - Number(a.canary));
