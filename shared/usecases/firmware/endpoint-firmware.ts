/**
 * The installed firmware an update's verification read, kept on the endpoint: its `firmware` (what compliance
 * compares with the baseline) and `firmware_at`, and the BIOS version the record shows. Only what the firmware
 * read says changes; the rest of the inventory (power, NICs, links, addresses) waits for the next refresh.
 */
import type { DellEndpoint } from '../../domain/dell-endpoint';
import { firmwareChanges } from '../../domain/firmware-baseline';
import type { IdracFirmwareItem } from '../../domain/idrac';
import { isoNow } from '../../ports/clock';
import { recordAudit } from '../../records/audit';
import { dellEndpoints } from '../../records/dell-endpoints';
import type { Deps } from '../deps';

const BIOS_FQDD = 'BIOS.Setup.1-1';

export async function recordInstalledFirmware(
  deps: Pick<Deps, 'store' | 'clock'>,
  endpointId: string,
  firmware: IdracFirmwareItem[],
): Promise<DellEndpoint> {
  const now = isoNow(deps.clock);
  let before: IdracFirmwareItem[] | undefined;
  const bios = firmware.find((f) => f.fqdd === BIOS_FQDD)?.version;
  const updated = await dellEndpoints.update(deps.store, endpointId, (c) => {
    before = c.firmware;
    return { ...c, firmware, firmware_at: now, ...(bios ? { bios_version: bios } : {}) };
  });
  // Drift over time, as a refresh records it: whoever changed the firmware.
  const changes = firmwareChanges(before, firmware);
  if (changes.length)
    await recordAudit(deps.store, { subject_id: endpointId, action: 'dell_endpoint.firmware_changed', at: now, detail: { changes } });
  return updated;
}
