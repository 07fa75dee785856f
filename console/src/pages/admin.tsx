import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api, Page } from '../api';
import { ErrorText, Time } from '../common';
import { STATES } from '../vocabulary';

interface UserRow {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  role: string;
  state: string | null;
  totpEnrolled: boolean;
  disabled: boolean;
  lastLoginAt: string | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  role: string;
  state: string | null;
  createdAt: string;
  revokedAt: string | null;
}

interface MemberState {
  code: string;
  name: string;
  constituency: { domains: string[]; cidrs: string[]; asns: number[] };
  contacts?: { type: string }[];
}

interface AuditEntry {
  id: string;
  seq: string | number;
  at: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
}

const TABS = ['users', 'keys', 'states', 'audit'] as const;
type Tab = (typeof TABS)[number];
const ROLES = ['analyst', 'coordinator', 'admin'];

/** Administration: people, API keys, member states' constituencies, the audit log. */
export function Admin() {
  const intl = useIntl();
  const [tab, setTab] = useState<Tab>('users');
  return (
    <main className="admin">
      <h1>
        <FormattedMessage id="admin.title" />
      </h1>
      <nav className="quick" aria-label={intl.formatMessage({ id: 'admin.sections' })}>
        {TABS.map((t) => (
          <button key={t} type="button" aria-pressed={tab === t} onClick={() => setTab(t)}>
            <FormattedMessage id={`admin.${t}`} />
          </button>
        ))}
      </nav>
      {tab === 'users' && <Users />}
      {tab === 'keys' && <Keys />}
      {tab === 'states' && <States />}
      {tab === 'audit' && <Audit />}
    </main>
  );
}

/** Shown once: a secret the service will not show again. */
function OnceOnly({ label, value }: { label: string; value: string }) {
  return (
    <p role="status" className="once">
      {label} <code>{value}</code>
    </p>
  );
}

function RoleAndState({
  role,
  state,
  onRole,
  onState,
}: {
  role: string;
  state: string;
  onRole(v: string): void;
  onState(v: string): void;
}) {
  const intl = useIntl();
  return (
    <>
      <label>
        {intl.formatMessage({ id: 'admin.role' })}
        <select value={role} onChange={(e) => onRole(e.target.value)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {intl.formatMessage({ id: `role.${r}` })}
            </option>
          ))}
        </select>
      </label>
      {role === 'analyst' && (
        <label>
          {intl.formatMessage({ id: 'admin.state' })}
          <select value={state} onChange={(e) => onState(e.target.value)} required>
            <option value="">{intl.formatMessage({ id: 'new.choose' })}</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {intl.formatMessage({ id: `state.${s}` })}
              </option>
            ))}
          </select>
        </label>
      )}
    </>
  );
}

function Users() {
  const intl = useIntl();
  const client = useQueryClient();
  const users = useQuery({
    queryKey: ['users'],
    queryFn: () => api<Page<UserRow>>('GET', '/users?limit=200'),
  });
  const [form, setForm] = useState({
    username: '',
    displayName: '',
    email: '',
    role: 'analyst',
    state: '',
    locale: 'ru',
  });
  const [link, setLink] = useState<string | null>(null);
  const activation = (token: string) =>
    `${window.location.origin}/console/activate#token=${encodeURIComponent(token)}`;
  const done = (res: { activationToken?: string }) => {
    if (res.activationToken) setLink(activation(res.activationToken));
    return client.invalidateQueries({ queryKey: ['users'] });
  };
  const create = useMutation({
    mutationFn: () =>
      api<{ activationToken: string }>('POST', '/users', {
        username: form.username,
        displayName: form.displayName || form.username,
        ...(form.email ? { email: form.email } : {}),
        role: form.role,
        ...(form.role === 'analyst' ? { state: form.state } : {}),
        locale: form.locale,
      }),
    onSuccess: done,
  });
  const change = useMutation({
    mutationFn: ({ id, path, body }: { id: string; path: string; body?: unknown }) =>
      api<{ activationToken?: string }>(path ? 'POST' : 'PATCH', `/users/${id}${path}`, body),
    onSuccess: done,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setLink(null);
    create.mutate();
  };
  return (
    <section aria-labelledby="admin-users">
      <h2 id="admin-users">
        <FormattedMessage id="admin.users" />
      </h2>
      <form onSubmit={submit} aria-labelledby="admin-user-new">
        <h3 id="admin-user-new">
          <FormattedMessage id="admin.users.new" />
        </h3>
        <label>
          {intl.formatMessage({ id: 'profile.username' })}
          <input
            value={form.username}
            onChange={(e) => setForm({ ...form, username: e.target.value })}
            required
            pattern="[a-z0-9._\-]{2,64}"
          />
        </label>
        <label>
          {intl.formatMessage({ id: 'admin.displayName' })}
          <input
            value={form.displayName}
            onChange={(e) => setForm({ ...form, displayName: e.target.value })}
          />
        </label>
        <label>
          {intl.formatMessage({ id: 'admin.email' })}
          <input
            type="email"
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.target.value })}
          />
        </label>
        <RoleAndState
          role={form.role}
          state={form.state}
          onRole={(role) => setForm({ ...form, role })}
          onState={(state) => setForm({ ...form, state })}
        />
        <label>
          {intl.formatMessage({ id: 'lang.label' })}
          <select
            value={form.locale}
            onChange={(e) => setForm({ ...form, locale: e.target.value })}
          >
            <option value="ru">Русский</option>
            <option value="en">English</option>
          </select>
        </label>
        <button type="submit" disabled={create.isPending}>
          <FormattedMessage id="admin.users.create" />
        </button>
      </form>
      <ErrorText error={create.error ?? change.error ?? users.error} />
      {link && (
        <OnceOnly label={intl.formatMessage({ id: 'admin.users.activation' })} value={link} />
      )}
      <table aria-labelledby="admin-users">
        <thead>
          <tr>
            {['username', 'name', 'role', 'totp', 'status', 'lastLogin', 'actions'].map((c) => (
              <th key={c} scope="col">
                <FormattedMessage id={`admin.users.col.${c}`} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {users.data?.items.map((u) => (
            <tr key={u.id}>
              <td>{u.username}</td>
              <td>{u.displayName}</td>
              <td>
                {intl.formatMessage({ id: `role.${u.role}` })}
                {u.state && ` (${u.state})`}
              </td>
              <td>
                <FormattedMessage id={u.totpEnrolled ? 'profile.totp.on' : 'profile.totp.off'} />
              </td>
              <td>
                <FormattedMessage id={u.disabled ? 'admin.users.disabled' : 'admin.users.active'} />
              </td>
              <td>
                <Time at={u.lastLoginAt} />
              </td>
              <td>
                <button
                  type="button"
                  onClick={() =>
                    change.mutate({ id: u.id, path: '', body: { disabled: !u.disabled } })
                  }
                  aria-label={intl.formatMessage(
                    { id: u.disabled ? 'admin.users.enableOne' : 'admin.users.disableOne' },
                    { username: u.username },
                  )}
                >
                  <FormattedMessage
                    id={u.disabled ? 'admin.users.enable' : 'admin.users.disable'}
                  />
                </button>{' '}
                <button
                  type="button"
                  onClick={() => {
                    setLink(null);
                    change.mutate({ id: u.id, path: '/reset' });
                  }}
                  aria-label={intl.formatMessage(
                    { id: 'admin.users.resetOne' },
                    { username: u.username },
                  )}
                >
                  <FormattedMessage id="admin.users.reset" />
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Keys() {
  const intl = useIntl();
  const client = useQueryClient();
  const keys = useQuery({
    queryKey: ['api-keys'],
    queryFn: () => api<Page<ApiKeyRow>>('GET', '/api-keys?limit=200'),
  });
  const [form, setForm] = useState({ name: '', role: 'analyst', state: '' });
  const [secret, setSecret] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () =>
      api<{ key: string }>('POST', '/api-keys', {
        name: form.name,
        role: form.role,
        ...(form.role === 'analyst' ? { state: form.state } : {}),
      }),
    onSuccess: (res) => {
      setSecret(res.key);
      return client.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const revoke = useMutation({
    // A key shown once is not left on the screen once the admin moves on.
    onMutate: () => setSecret(null),
    mutationFn: (id: string) => api('DELETE', `/api-keys/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['api-keys'] }),
  });
  return (
    <section aria-labelledby="admin-keys">
      <h2 id="admin-keys">
        <FormattedMessage id="admin.keys" />
      </h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setSecret(null);
          create.mutate();
        }}
      >
        <label>
          {intl.formatMessage({ id: 'admin.keys.name' })}
          <input
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
            required
            maxLength={100}
          />
        </label>
        <RoleAndState
          role={form.role}
          state={form.state}
          onRole={(role) => setForm({ ...form, role })}
          onState={(state) => setForm({ ...form, state })}
        />
        <button type="submit" disabled={create.isPending}>
          <FormattedMessage id="admin.keys.create" />
        </button>
      </form>
      <ErrorText error={create.error ?? revoke.error ?? keys.error} />
      {secret && (
        <OnceOnly label={intl.formatMessage({ id: 'admin.keys.secret' })} value={secret} />
      )}
      <table aria-labelledby="admin-keys">
        <thead>
          <tr>
            {['name', 'role', 'created', 'revoked', 'actions'].map((c) => (
              <th key={c} scope="col">
                <FormattedMessage id={`admin.keys.col.${c}`} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {keys.data?.items.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td>
                {intl.formatMessage({ id: `role.${k.role}` })}
                {k.state && ` (${k.state})`}
              </td>
              <td>
                <Time at={k.createdAt} />
              </td>
              <td>
                <Time at={k.revokedAt} />
              </td>
              <td>
                {!k.revokedAt && (
                  <button
                    type="button"
                    onClick={() => revoke.mutate(k.id)}
                    aria-label={intl.formatMessage(
                      { id: 'admin.keys.revokeOne' },
                      { name: k.name },
                    )}
                  >
                    <FormattedMessage id="admin.keys.revoke" />
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function States() {
  const intl = useIntl();
  const states = useQuery({
    queryKey: ['member-states'],
    queryFn: () => api<Page<MemberState>>('GET', '/member-states?limit=50'),
  });
  return (
    <section aria-labelledby="admin-states">
      <h2 id="admin-states">
        <FormattedMessage id="admin.states" />
      </h2>
      <ErrorText error={states.error} />
      {states.data?.items.map((s) => (
        <Constituency key={s.code} state={s} />
      ))}
      <p>
        <FormattedMessage id="admin.states.contacts" />
      </p>
      <p>
        <a href="/admin/queues">{intl.formatMessage({ id: 'admin.queues' })}</a>
      </p>
    </section>
  );
}

function Constituency({ state }: { state: MemberState }) {
  const intl = useIntl();
  const client = useQueryClient();
  const lines = (v: (string | number)[]) => v.join('\n');
  const [domains, setDomains] = useState(lines(state.constituency.domains));
  const [cidrs, setCidrs] = useState(lines(state.constituency.cidrs));
  const [asns, setAsns] = useState(lines(state.constituency.asns));
  const split = (v: string) =>
    v
      .split(/[\s,]+/)
      .map((x) => x.trim())
      .filter(Boolean);
  const save = useMutation({
    mutationFn: () =>
      api('PUT', `/member-states/${state.code}/constituency`, {
        domains: split(domains),
        cidrs: split(cidrs),
        asns: split(asns).map((a) => Number(a.replace(/^AS/i, ''))),
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['member-states'] }),
  });
  const name = intl.formatMessage({ id: `state.${state.code}` });
  return (
    <form
      className="constituency"
      aria-label={name}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <h3>
        {name} ({state.code}) —{' '}
        <FormattedMessage
          id="admin.states.contactCount"
          values={{ count: state.contacts?.length ?? 0 }}
        />
      </h3>
      {(
        [
          ['domains', domains, setDomains],
          ['cidrs', cidrs, setCidrs],
          ['asns', asns, setAsns],
        ] as const
      ).map(([key, value, set]) => (
        <label key={key}>
          {intl.formatMessage({ id: `admin.states.${key}` }, { state: name })}
          <textarea rows={3} value={value} onChange={(e) => set(e.target.value)} />
        </label>
      ))}
      <button type="submit" disabled={save.isPending}>
        {intl.formatMessage({ id: 'admin.states.save' }, { state: name })}
      </button>
      <ErrorText error={save.error} />
      {save.isSuccess && (
        <p role="status">
          <FormattedMessage id="admin.saved" />
        </p>
      )}
    </form>
  );
}

function Audit() {
  const verify = useQuery({
    queryKey: ['audit', 'verify'],
    queryFn: () => api<{ valid: boolean; count: number }>('GET', '/audit/verify'),
  });
  const entries = useQuery({
    queryKey: ['audit', 'entries'],
    queryFn: () => api<Page<AuditEntry>>('GET', '/audit?limit=100'),
  });
  return (
    <section aria-labelledby="admin-audit">
      <h2 id="admin-audit">
        <FormattedMessage id="admin.audit" />
      </h2>
      <ErrorText error={verify.error ?? entries.error} />
      {verify.data && (
        <p role="status" className={verify.data.valid ? 'valid' : 'overdue'}>
          <FormattedMessage
            id={verify.data.valid ? 'admin.audit.valid' : 'admin.audit.broken'}
            values={{ count: verify.data.count }}
          />
        </p>
      )}
      <table aria-labelledby="admin-audit">
        <thead>
          <tr>
            {['seq', 'at', 'actor', 'action', 'target'].map((c) => (
              <th key={c} scope="col">
                <FormattedMessage id={`admin.audit.col.${c}`} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {entries.data?.items.map((a) => (
            <tr key={a.id}>
              <td>{a.seq}</td>
              <td>
                <Time at={a.at} />
              </td>
              <td>{a.actor}</td>
              <td>
                <code>{a.action}</code>
              </td>
              <td>
                {a.targetType} {a.targetId && <code>{a.targetId}</code>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
