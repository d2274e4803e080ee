import { describe, expect, it } from 'vitest';
import { finalStatus, sweepableNetworks, tooLargeToSweep } from '../../shared/domain/discovery-run';

describe('what a sweep covers', () => {
  it('sweeps IPv4 networks up to /20, refuses larger ones and leaves IPv6 ones out', () => {
    expect(sweepableNetworks(['10.0.0.0/24', '10.1.0.0/20', '10.2.0.0/19', 'fd00::/64', '10.3.0.0/8'])).toEqual({
      sweep: ['10.0.0.0/24', '10.1.0.0/20'],
      tooLarge: ['10.2.0.0/19', '10.3.0.0/8'],
    });
  });

  it('says why a network is not swept and what to do', () => {
    expect(tooLargeToSweep(['10.2.0.0/19'])).toBe(
      'network 10.2.0.0/19 is larger than /20 (8,192 addresses; a sweep covers at most 4,096): ' +
        'split it into /20 or smaller networks, or register its iDRACs individually',
    );
    expect(tooLargeToSweep(['10.2.0.0/19', '10.3.0.0/8'])).toMatch(
      /^networks 10\.2\.0\.0\/19, 10\.3\.0\.0\/8 are larger than \/20 .*register their iDRACs/,
    );
  });
});

describe('how a run ends', () => {
  const skipped = [{ site_id: 'site-big', networks: ['10.0.0.0/16'], reason: 'network 10.0.0.0/16 is larger than /20' }];

  it('succeeds only when every address was probed and every network swept', () => {
    expect(finalStatus({ total: 6, errors: 0 })).toEqual({ status: 'succeeded' });
    expect(finalStatus({ total: 0, errors: 0 })).toEqual({ status: 'succeeded' });
    expect(finalStatus({ total: 6, errors: 0, skipped })).toEqual({
      status: 'partial',
      status_reason: "1 site(s) have networks that were not swept (see skipped); site 'site-big': network 10.0.0.0/16 is larger than /20",
    });
  });

  it('names errors and skipped networks together; fails when nothing could be probed or swept', () => {
    const samples = [{ chunk: 3, addresses: '10.9.0.4', message: 'timeout' }];
    expect(finalStatus({ total: 6, errors: 2, error_samples: samples, skipped }).status_reason).toBe(
      '2 of 6 address(es) could not be probed (see error_samples); first error (slice 3, 10.9.0.4): timeout; ' +
        "1 site(s) have networks that were not swept (see skipped); site 'site-big': network 10.0.0.0/16 is larger than /20",
    );
    expect(finalStatus({ total: 6, errors: 6, error_samples: samples })).toEqual({
      status: 'failed',
      status_reason: 'none of the 6 address(es) could be probed; first error (slice 3, 10.9.0.4): timeout',
    });
    expect(finalStatus({ total: 0, errors: 0, skipped })).toMatchObject({
      status: 'failed',
      status_reason: expect.stringMatching(/^nothing was swept; 1 site/),
    });
  });
});
