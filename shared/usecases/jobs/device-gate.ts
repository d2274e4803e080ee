/**
 * The iDRAC port as a job step sees it: every request checks `mayAct` (the kill switch) once it holds its
 * per-iDRAC slot, not only when the step began, so no device I/O starts after the switch is activated.
 */
import type { Idrac, IdracTarget } from '../../ports/idrac';

export function gatedIdrac(idrac: Idrac, mayAct: () => Promise<void>): Idrac {
  const gated = (target: IdracTarget): IdracTarget => ({ ...target, mayAct });
  return {
    knock: async (target) => {
      await mayAct();
      return idrac.knock(target);
    },
    probe: (target) => idrac.probe(gated(target)),
    inventory: (target, credential) => idrac.inventory(gated(target), credential),
    firmwareInventory: (target, credential) => idrac.firmwareInventory(gated(target), credential),
    powerReset: (target, credential, resetType) => idrac.powerReset(gated(target), credential, resetType),
    startFirmwareUpdate: (target, credential, ...rest) => idrac.startFirmwareUpdate(gated(target), credential, ...rest),
    lifecycleControllerStatus: (target, credential) => idrac.lifecycleControllerStatus(gated(target), credential),
    jobStatus: (target, credential, jobId) => idrac.jobStatus(gated(target), credential, jobId),
    listJobs: (target, credential) => idrac.listJobs(gated(target), credential),
    deleteJob: (target, credential, jobId) => idrac.deleteJob(gated(target), credential, jobId),
    rebootToApply: (target, credential, ...rest) => idrac.rebootToApply(gated(target), credential, ...rest),
    verifyCredential: (target, credential) => idrac.verifyCredential(gated(target), credential),
    setAccountPassword: (target, credential, ...rest) => idrac.setAccountPassword(gated(target), credential, ...rest),
    upstreams: () => idrac.upstreams(),
    limits: () => idrac.limits(),
    dispose: () => idrac.dispose(),
  };
}
