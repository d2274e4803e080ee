import type { IdracGeneration } from '../../domain/idrac';
import { compareVersions } from './redfish/service-root';

/**
 * From the server generation the iDRAC states ("15G Monolithic", DCIM SystemGeneration "13G Modular"):
 * 12G shipped iDRAC7, 13G iDRAC8, 14G–16G iDRAC9. 17G (iDRAC10) and anything else: unknown.
 */
export function generationFromServer(text: string | undefined): IdracGeneration {
  const number = Number(/(\d+)\s*G\b/i.exec(text ?? '')?.[1]);
  if (number === 12) return 'idrac7';
  if (number === 13) return 'idrac8';
  if (number >= 14 && number <= 16) return 'idrac9';
  return 'unknown';
}

// iDRAC9 firmware reports Redfish 1.6 and later; iDRAC7/8 2.x firmware stops at 1.4.
const IDRAC9_MIN_REDFISH = '1.6.0';

/**
 * Best guess without credentials. Redfish ≥ 1.6 → iDRAC9; older Redfish → iDRAC8 (iDRAC7 on 2.x firmware
 * looks the same); WS-Man only → iDRAC7 (or an iDRAC8 on pre-2.40 firmware). Inventory settles it.
 */
export function guessGeneration(
  redfishVersion: string | undefined,
  wsman: boolean,
): { generation: IdracGeneration; basis: 'redfish_version' | 'protocols' | 'none' } {
  if (redfishVersion) {
    return { generation: compareVersions(redfishVersion, IDRAC9_MIN_REDFISH) >= 0 ? 'idrac9' : 'idrac8', basis: 'redfish_version' };
  }
  if (wsman) return { generation: 'idrac7', basis: 'protocols' };
  return { generation: 'unknown', basis: 'none' };
}
