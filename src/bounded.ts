/**
 * Sets `key` in a map used as a bounded cache: the entry becomes the newest, and when the map already holds
 * `limit` other entries the oldest is dropped first.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  if (map.size >= limit) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}

/**
 * The value kept under `key`, or `build(key)` kept as the newest entry of the bounded cache (see
 * setBounded). A value found is returned as it is; only a new one changes the order.
 */
export function keptOrBuilt<K, V>(map: Map<K, V>, key: K, build: (key: K) => V, limit: number): V {
  const kept = map.get(key);
  if (kept !== undefined) return kept;
  const built = build(key);
  setBounded(map, key, built, limit);
  return built;
}
