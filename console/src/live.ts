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
type Message = { kind: 'event'; event: LiveEvent } | { kind: 'status'; up: boolean };

const LOCK = 'ccc-console-events';
const CHANNEL = 'ccc-console-events';
const listeners = new Set<Listener>();
const statusListeners = new Set<(up: boolean) => void>();
let connected = true;
let started = false;
let source: EventSource | null = null;
let channel: BroadcastChannel | null = null;
/** Ends this tab's hold on the stream (releases the lock, closes the EventSource). */
let release: (() => void) | null = null;

function deliver(event: LiveEvent): void {
  for (const l of listeners) l(event);
}

function setConnected(up: boolean): void {
  connected = up;
  for (const l of statusListeners) l(up);
}

/**
 * One event stream per browser, not per tab (a browser opens at most six HTTP/1.1
 * connections to one origin): the tab holding the Web Lock opens the EventSource and passes
 * every event and its up/down state to the other tabs on a BroadcastChannel. When it closes,
 * another tab takes the lock and the stream, and everything is refreshed once (events in
 * between were not seen). Without Web Locks (a page not served over https or from
 * localhost) each tab has its own stream. EventSource itself resumes with Last-Event-ID.
 */
function start(): void {
  if (started) return;
  started = true;
  if (typeof BroadcastChannel !== 'undefined') {
    channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (m: MessageEvent<Message>) => {
      if (m.data.kind === 'event') deliver(m.data.event);
      else setConnected(m.data.up);
    };
  }
  if (!navigator.locks) {
    open(false);
    return;
  }
  const locks = navigator.locks;
  const waiting = new AbortController();
  release = () => waiting.abort();
  void (async () => {
    // Held by another tab: this one follows, and reloads once if it ever takes over.
    const held = (await locks.query()).held?.some((l) => l.name === LOCK) ?? false;
    await locks.request(LOCK, { signal: waiting.signal }, () => {
      return new Promise<void>((resolve) => {
        open(held);
        release = () => {
          source?.close();
          source = null;
          resolve();
        };
      });
    });
  })().catch(() => undefined);
}

/** Opens the stream in this tab; a tab taking over from another reloads what it shows. */
function open(takingOver: boolean): void {
  source = new EventSource('/api/v1/events', { withCredentials: true });
  const status = (up: boolean) => {
    setConnected(up);
    channel?.postMessage({ kind: 'status', up } satisfies Message);
  };
  source.onopen = () => {
    status(true);
    if (takingOver) deliver({ type: 'reset', at: new Date().toISOString() });
    takingOver = false;
  };
  source.onerror = () => status(false);
  source.onmessage = (m: MessageEvent<string>) => {
    const event = JSON.parse(m.data) as LiveEvent;
    deliver(event);
    channel?.postMessage({ kind: 'event', event } satisfies Message);
  };
}

/** Signed out: this tab lets go of the stream (the others lose their session too). */
export function closeLiveEvents(): void {
  started = false;
  release?.();
  release = null;
  source?.close();
  source = null;
  channel?.close();
  channel = null;
}

export function useLiveEvents(listener: Listener): void {
  useEffect(() => {
    start();
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
