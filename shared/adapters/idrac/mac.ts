/**
 * MACs in one form across sources: lower-case hex pairs joined by colons (as vCenter reports them), so
 * IPAM can correlate a host seen by vCenter and by its iDRAC. Accepts `AA-BB-..`, `aabb.ccdd.eeff`, bare hex.
 */
export function normalizeMac(mac: string): string {
  const hex = mac.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  return hex.length === 12 ? (hex.match(/../g) ?? []).join(':') : mac.trim().toLowerCase();
}
