import type { SecureVersion } from 'node:tls';

export type Generation = 'idrac9' | 'idrac8' | 'idrac7';
/** `full`: iDRAC9-era Redfish; `legacy`: iDRAC7/8 2.x Redfish (older version, fewer resources); `none`. */
export type RedfishFlavor = 'full' | 'legacy' | 'none';

export interface GenerationProfile {
  generation: Generation;
  model: string;
  /** Manager.Model and DellSystem.SystemGeneration, e.g. "15G Monolithic". */
  systemGeneration: string;
  systemId: number;
  redfish: RedfishFlavor;
  redfishVersion: string;
  wsman: boolean;
  maxTlsVersion: SecureVersion;
  idracFirmware: string;
  idracPreviousFirmware: string;
  biosVersion: string;
  biosPreviousVersion: string;
  biosReleaseDate: string;
}

/**
 * idrac9 is the R750 capture as recorded. idrac8/idrac7 are not captured: their models, versions and
 * SystemIDs are plausible values for 13G/12G servers, chosen for the simulator, not measured.
 */
export const PROFILES: Record<Generation, GenerationProfile> = {
  idrac9: {
    generation: 'idrac9',
    model: 'PowerEdge R750',
    systemGeneration: '15G Monolithic',
    systemId: 2318,
    redfish: 'full',
    redfishVersion: '1.13.1',
    wsman: false,
    maxTlsVersion: 'TLSv1.3',
    idracFirmware: '6.00.30.00',
    idracPreviousFirmware: '4.40.29.00',
    biosVersion: '1.8.2',
    biosPreviousVersion: '1.2.4',
    biosReleaseDate: '09/14/2022',
  },
  idrac8: {
    generation: 'idrac8',
    model: 'PowerEdge R630',
    systemGeneration: '13G Monolithic',
    systemId: 1575,
    redfish: 'legacy',
    redfishVersion: '1.4.0',
    wsman: true,
    maxTlsVersion: 'TLSv1.2',
    idracFirmware: '2.83.83.83',
    idracPreviousFirmware: '2.75.75.75',
    biosVersion: '2.17.0',
    biosPreviousVersion: '2.13.0',
    biosReleaseDate: '01/11/2023',
  },
  idrac7: {
    generation: 'idrac7',
    model: 'PowerEdge R620',
    systemGeneration: '12G Monolithic',
    systemId: 1230,
    redfish: 'none',
    redfishVersion: '',
    wsman: true,
    // Old iDRAC7 firmware predates TLS 1.2 (the runbook's "legacy iDRAC7/8 TLS 1.0/1.1").
    maxTlsVersion: 'TLSv1.1',
    idracFirmware: '1.66.65',
    idracPreviousFirmware: '1.57.57',
    biosVersion: '2.9.0',
    biosPreviousVersion: '2.7.0',
    biosReleaseDate: '12/06/2019',
  },
};
