// Keeps reloading a view every `intervalMs` while `active` holds (a storage migration copying), and
// stops as soon as it no longer does: nothing polls while there is nothing to follow.
import { useEffect } from 'react';

export function useRefreshWhile(active: boolean, reload: () => void, intervalMs = 1000): void {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(reload, intervalMs);
    return () => clearInterval(timer);
  }, [active, reload, intervalMs]);
}
