import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

export interface LiveEvent {
  type: string;
  incidentId?: string;
  reportId?: string;
  deliveryId?: string;
  at: string;
}

type Listener = (e: LiveEvent) => void;
const listeners = new Set<Listener>();
let source: EventSource | null = null;
let connected = true;
const statusListeners = new Set<(up: boolean) => void>();

/**
 * One event stream for this page (EventSource resumes with Last-Event-ID by itself after a
 * drop). Every event refreshes what is cached about its incident; listeners add the rest.
 */
function ensureStream(): void {
  if (source) return;
  source = new EventSource('/api/v1/events', { withCredentials: true });
  source.onopen = () => setConnected(true);
  source.onerror = () => setConnected(false);
  source.onmessage = (m: MessageEvent<string>) => {
    const event = JSON.parse(m.data) as LiveEvent;
    for (const l of listeners) l(event);
  };
}

function setConnected(up: boolean): void {
  connected = up;
  for (const l of statusListeners) l(up);
}

export function closeLiveEvents(): void {
  source?.close();
  source = null;
}

export function useLiveEvents(listener: Listener): void {
  useEffect(() => {
    ensureStream();
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, [listener]);
}

/** Keeps cached incidents fresh: a `reset` reloads everything, other events their incident. */
export function useLiveRefresh(): boolean {
  const client = useQueryClient();
  const [up, setUp] = useState(connected);
  useEffect(() => {
    statusListeners.add(setUp);
    return () => {
      statusListeners.delete(setUp);
    };
  }, []);
  useLiveEvents((e) => {
    if (e.type === 'reset') void client.invalidateQueries();
    else if (e.incidentId) void client.invalidateQueries({ queryKey: ['incident', e.incidentId] });
  });
  return up;
}
