import { describe, expect, it } from 'vitest';
import { compareFirmwareVersions } from '../../shared/domain/firmware-version';

describe('Dell firmware versions', () => {
  it.each([
    ['2.19.1', '2.19.1', 0],
    ['2.19.1', '2.9.1', 1],
    ['1.4.13', '1.4.9', 1],
    ['6.00.30.00', '6.10.30.00', -1],
    ['6.00.30.00', '6.0.30', 0],
    ['7.00.00.00', '6.10.30.00', 1],
    ['A07', 'A10', -1],
    ['a07', 'A07', 0],
    ['B01', 'A10', 1],
    ['00.2A.2B', '00.2A.2A', 1],
    ['21.80.16.95', '22.00.6', -1],
    ['4301A56', '4301A57', -1],
    ['1.0', '1.0a', -1],
    [' 2.19.1 ', '2.19.1', 0],
  ] as const)('%s against %s: %d', (a, b, order) => {
    expect(compareFirmwareVersions(a, b)).toBe(order);
    expect(compareFirmwareVersions(b, a)).toBe(order === 0 ? 0 : -order);
  });

  it('versions of different schemes, or no version at all, cannot be compared', () => {
    expect(compareFirmwareVersions('A07', '1.2.3')).toBeUndefined();
    expect(compareFirmwareVersions('4301A56', 'A07')).toBeUndefined();
    expect(compareFirmwareVersions('', '1.0')).toBeUndefined();
    expect(compareFirmwareVersions('n/a', '--')).toBeUndefined();
  });
});
