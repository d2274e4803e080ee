/** The limits the fake device ports (FakeIdrac, FakeVCenter) say they enforce: plausible figures no unit test relies on. */
import type { UpstreamLimits } from '../../shared/domain/upstream';

export const FAKE_LIMITS: UpstreamLimits = {
  max_concurrent_requests: 2,
  max_queued_requests: 8,
  retries: 0,
  retry_max_delay_ms: 1,
  connect_timeout_ms: 1_000,
  response_timeout_ms: 1_000,
  breaker: { failure_threshold: 3, half_open_after_ms: 1_000 },
};
