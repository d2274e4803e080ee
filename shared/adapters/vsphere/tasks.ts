import type { VCenterTaskInfo } from '../../ports/vcenter';
import type { MoRef, TaskInfo } from './types';

/** A decoded TaskInfo as the port describes a task. */
export function taskInfoOf(task: MoRef, info: TaskInfo | undefined): VCenterTaskInfo {
  if (!info) return { id: task.value, description_id: '', state: 'queued' };
  const fault = info.error?.fault as { _type?: string } | undefined;
  const entity = info.entity as MoRef | undefined;
  const out: VCenterTaskInfo = { id: info.task?.value ?? task.value, description_id: String(info.descriptionId ?? ''), state: info.state };
  if (entity) out.entity = entity.value;
  if (typeof info.entityName === 'string') out.entity_name = info.entityName;
  if (info.state === 'running' && typeof info.progress === 'number') out.progress = info.progress;
  if (info.state === 'error') out.error = { fault_type: fault?._type ?? 'MethodFault', message: info.error?.localizedMessage ?? '' };
  if (typeof info.queueTime === 'string') out.queued_at = info.queueTime;
  if (typeof info.startTime === 'string') out.started_at = info.startTime;
  if (typeof info.completeTime === 'string') out.completed_at = info.completeTime;
  return out;
}
