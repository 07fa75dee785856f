import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useCallback } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api, Delivery, Incident, Page } from '../api';
import { ErrorText, Time } from '../common';
import { LiveEvent, useLiveEvents } from '../live';

/**
 * Dead-lettered notifications (coordinators, admins): what failed, where, why; each retried
 * with a fresh round of attempts. New failures arrive from the event stream.
 */
export function Deliveries() {
  const intl = useIntl();
  const client = useQueryClient();
  const list = useQuery({
    queryKey: ['deliveries', 'failed'],
    queryFn: () => api<Page<Delivery>>('GET', '/deliveries?status=failed&limit=200'),
  });
  useLiveEvents(
    useCallback(
      (e: LiveEvent) => {
        if (e.type === 'delivery.failed' || e.type === 'reset') {
          void client.invalidateQueries({ queryKey: ['deliveries'] });
        }
      },
      [client],
    ),
  );
  const retry = useMutation({
    mutationFn: (id: string) => api<Delivery>('POST', `/deliveries/${id}/retry`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['deliveries'] }),
  });
  const rows = list.data?.items ?? [];

  return (
    <main>
      <h1>
        <FormattedMessage id="deliveries.title" />
      </h1>
      <p>
        <FormattedMessage id="deliveries.intro" />
      </p>
      <ErrorText error={list.error ?? retry.error} />
      {retry.isSuccess && (
        <p role="status">
          <FormattedMessage id="deliveries.retried" />
        </p>
      )}
      <table aria-label={intl.formatMessage({ id: 'deliveries.title' })}>
        <thead>
          <tr>
            {['event', 'incident', 'party', 'channel', 'attempts', 'last', 'updated', 'action'].map(
              (c) => (
                <th key={c} scope="col">
                  <FormattedMessage id={`deliveries.col.${c}`} />
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.id}>
              <td>
                <code>{d.event}</code>
              </td>
              <td>{d.incidentId ? <IncidentRef id={d.incidentId} /> : '—'}</td>
              <td>{d.party}</td>
              <td>{intl.formatMessage({ id: `deliveries.channel.${d.channel}` })}</td>
              <td>{d.attempts}</td>
              <td>
                {d.lastStatusCode !== null && <code>{d.lastStatusCode}</code>} {d.lastError}
              </td>
              <td>
                <Time at={d.updatedAt} />
              </td>
              <td>
                <button
                  type="button"
                  disabled={retry.isPending}
                  onClick={() => retry.mutate(d.id)}
                  aria-label={intl.formatMessage(
                    { id: 'deliveries.retryOne' },
                    { event: d.event, party: d.party },
                  )}
                >
                  <FormattedMessage id="deliveries.retry" />
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && !list.isLoading && (
        <p>
          <FormattedMessage id="deliveries.empty" />
        </p>
      )}
    </main>
  );
}

/** An incident by its reference, linking to it. */
function IncidentRef({ id }: { id: string }) {
  const incident = useQuery({
    queryKey: ['incident', id],
    queryFn: () => api<Incident>('GET', `/incidents/${id}`),
  });
  return (
    <Link to="/incidents/$id" params={{ id }}>
      {incident.data?.reference ?? id.slice(0, 8)}
    </Link>
  );
}
