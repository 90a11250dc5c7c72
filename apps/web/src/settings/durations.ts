// Durations as people read them: GC graces and intervals ("24 h", "10 min") and a migration's
// time left ("about 3 min left").

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const restMinutes = minutes % 60;
  if (hours < 48) return restMinutes === 0 ? `${hours} h` : `${hours} h ${restMinutes} min`;
  const days = Math.floor(hours / 24);
  const restHours = hours % 24;
  return restHours === 0 ? `${days} d` : `${days} d ${restHours} h`;
}

/** A migration's ETA from the API's `etaSeconds` (null: not copying, or the rate is not known yet). */
export function formatEta(etaSeconds: number | null): string {
  if (etaSeconds === null) return 'time left not known yet';
  if (etaSeconds < 1) return 'almost done';
  if (etaSeconds < 60) return `about ${Math.ceil(etaSeconds)} s left`;
  return `about ${formatDuration(etaSeconds * 1000)} left`;
}

/** Percent done, rounded down so that 100 % means every item is done. */
export function percentDone(done: number, total: number): number {
  if (total <= 0) return 100;
  return Math.min(100, Math.floor((done / total) * 100));
}
