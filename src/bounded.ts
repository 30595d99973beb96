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
