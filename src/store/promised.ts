/**
 * The SQLite store's calls are synchronous (better-sqlite3); the store contracts are asynchronous. This
 * keeps the contract, and turns a throw into a rejection, so a caller's `.catch` sees every failure.
 */
export function promised<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
